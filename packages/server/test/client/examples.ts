/**
 * The runnable examples of docs/client.md (each fenced `ts` block preceded by
 * `<!-- example: name -->`) and an esbuild bundler for them: `@gatehouse/client` resolves to
 * packages/client/src/index.ts, and `./name.js` imports between examples resolve to other examples.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';

export const CLIENT_ENTRY = fileURLToPath(new URL('../../../client/src/index.ts', import.meta.url));
const GUIDE = fileURLToPath(new URL('../../../../docs/client.md', import.meta.url));

/** Example name → source, in the guide's order. */
export function docExamples(): Map<string, string> {
  const text = readFileSync(GUIDE, 'utf8');
  const examples = new Map<string, string>();
  for (const m of text.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)```/g)) examples.set(m[1]!, m[2]!);
  return examples;
}

export function example(name: string): string {
  const source = docExamples().get(name);
  if (source === undefined) throw new Error(`docs/client.md has no example "${name}"`);
  return source;
}

/** Bundles `source` as an ES module; `modules` maps `./x.js` specifiers to sources. */
export async function bundleExample(source: string, platform: 'node' | 'browser', modules: Record<string, string> = {}): Promise<string> {
  const examples: Plugin = {
    name: 'doc-examples',
    setup(b) {
      b.onResolve({ filter: /^@gatehouse\/client$/ }, () => ({ path: CLIENT_ENTRY }));
      b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) =>
        (args.importer === '<stdin>' || args.namespace === 'example') && args.path in modules ? { path: args.path, namespace: 'example' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'example' }, (args) => ({ contents: modules[args.path] ?? '', loader: 'ts', resolveDir: dirname(CLIENT_ENTRY) }));
    },
  };
  const result = await build({
    stdin: { contents: source, loader: 'ts', resolveDir: dirname(CLIENT_ENTRY) },
    bundle: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [examples],
  });
  return result.outputFiles[0]!.text;
}
