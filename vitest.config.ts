import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the workspace packages from source, like tsconfig.json's paths.
    alias: { '@gatehouse/verify': source('verify'), '@gatehouse/client': source('client') },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/test/**/*.test.tsx', 'bench/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep argon2-heavy and browser files from starving each other.
    maxWorkers: 2,
  },
});
