/**
 * Data flows one way: core decides, the store stores. Nothing under src/store/ may throw a
 * domain error or reach back up into core's logic: it returns results (`email-taken`,
 * `reused`, …) that core turns into errors, and from core it knows only the records
 * (core/model/). Read from the source, so a new file or a new import is checked too.
 */
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiers } from '../helpers/sources.js';

const files = sourceFiles('store');

describe('the store layer', () => {
  it('is read for real: the files are found and their imports recognized', () => {
    expect(files.map((f) => f.name)).toContain('store.ts');
    expect(specifiers(files.find((f) => f.name === 'store.ts')!.source)).toContain('../core/model/user.js');
    const offending = "import type { X } from './a.js';\nimport {\n  conflict,\n} from '../core/errors.js';\nconst m = await import('../../core/errors.js');";
    expect(specifiers(offending)).toEqual(['./a.js', '../core/errors.js', '../../core/errors.js']);
  });

  it.for(files.map((f) => [f.name, f] as const))('%s imports nothing from core but its records, and never core/errors', ([, f]) => {
    const fromCore = specifiers(f.source).filter((s) => /(^|\/)core\//.test(s));
    expect(fromCore.filter((s) => /core\/errors(\.js)?$/.test(s))).toEqual([]);
    expect(fromCore.filter((s) => !/(^|\/)core\/model\/[a-z-]+\.js$/.test(s))).toEqual([]);
    expect(specifiers(f.source).filter((s) => /(^|\/)(http|cli|sample)\//.test(s))).toEqual([]);
  });

  it.for(files.map((f) => [f.name, f] as const))('%s neither names nor throws a GatehouseError', ([, f]) => {
    expect(f.source).not.toMatch(/GatehouseError|toGatehouseError/);
  });
});
