/** Where things are in the repository, for tests that read docs or start processes. */
import { fileURLToPath } from 'node:url';

/** The repository root: docs/, the root tsconfig.json (whose paths let tsx run the workspace from source). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** packages/server/ */
export const SERVER_ROOT = fileURLToPath(new URL('../../', import.meta.url));
