/** The CPU-profile summary quoted in BENCHMARKS.md. */
import { describe, expect, it } from 'vitest';
import { areaOf, formatSummary, summarizeProfile } from '../harness/profile.js';

describe('profile summary', () => {
  it('attributes frames to Gatehouse directories, packages, Node and V8', () => {
    expect(areaOf('file:///repo/bench/.build/core/key-verifier.js')).toBe('gatehouse core');
    expect(areaOf('file:///repo/src/http/api/agents.ts')).toBe('gatehouse http');
    expect(areaOf('file:///repo/dist/server.js')).toBe('gatehouse (root)');
    expect(areaOf('file:///repo/node_modules/@hono/node-server/dist/index.mjs')).toBe('@hono/node-server');
    expect(areaOf('file:///repo/node_modules/kysely/dist/esm/index.js')).toBe('kysely');
    expect(areaOf('node:internal/abort_controller')).toBe('node:internal');
    expect(areaOf('')).toBe('(v8/native)');
  });

  it('ranks self time by function and by area, idle excluded', () => {
    const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 9 } });
    const summary = summarizeProfile({
      nodes: [frame(1, '(idle)', ''), frame(2, 'prepare', 'file:///r/node_modules/better-sqlite3/lib/methods/wrappers.js'), frame(3, 'verify', 'file:///r/src/core/key-verifier.ts'), frame(4, '(garbage collector)', '')],
      samples: [1, 2, 2, 3, 4, 1],
      timeDeltas: [500, 300, 300, 200, 200, 500],
    });
    expect(summary.total).toBe(1000);
    expect(summary.functions[0]).toEqual({ name: 'prepare methods/wrappers.js:10', share: 0.6 });
    expect(summary.areas.map((a) => a.name)).toEqual(['better-sqlite3', 'gatehouse core', '(garbage collector)']);
    expect(formatSummary(summary)).toContain(' 60.0%  better-sqlite3');
  });
});
