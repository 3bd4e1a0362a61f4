#!/usr/bin/env node
// Entry point of the `gatehouse` command; the implementation is compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/run.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('gatehouse: not built yet; run `npm run build` (npm start does it for you)\n');
  process.exit(1);
}
await import(entry.href);
