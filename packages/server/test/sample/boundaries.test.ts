/**
 * The sample API is a resource server like any other: it never touches Gatehouse's store or
 * its domain logic, and no product code reads or writes the `agents` table it once used (the
 * table stays in the first migration, for existing databases).
 */
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiers } from '../helpers/sources.js';

describe('the sample API', () => {
  const sample = sourceFiles('sample');

  it.for(sample.map((f) => [f.name, f] as const))('%s uses no store and, of core, only its errors, id generator and clock', ([, f]) => {
    const imports = specifiers(f.source);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((s) => /(^|\/)store\//.test(s))).toEqual([]);
    expect(imports.filter((s) => /(^|\/)core\//.test(s) && !/core\/(errors|credentials|clock)\.js$/.test(s))).toEqual([]);
    expect(f.source).not.toMatch(/\.store\b/);
  });

  it('leaves the agents table to its migration alone', () => {
    const naming = sourceFiles('.').filter((f) => /['"`]agents['"`]|\bagents\s*:\s*\{|from\s+agents\b/.test(f.source));
    expect(naming.map((f) => f.name)).toEqual(['store/migrations.ts']);
  });
});
