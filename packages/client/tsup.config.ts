import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const aliasZodOpenapi = (options: { alias?: Record<string, string> }) => {
  options.alias = {
    ...options.alias,
    '@anatine/zod-openapi': fileURLToPath(new URL('./build/zod-openapi-shim.ts', import.meta.url)),
  };
};

/**
 * The library: ESM + CJS + .d.ts. The private contract package is bundled in (code and
 * types), so the published package depends only on @ts-rest/core and zod.
 *
 * The `onesec` command: one CommonJS file with its shebang (commander is CommonJS), commander bundled in (so installing
 * the package still pulls only @ts-rest/core and zod). No source map: it would name
 * commander's files outside the workspace packages. `pnpm build` empties dist/ first.
 */
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    target: 'node18',
    platform: 'node',
    dts: {
      resolve: ['@1security/contract'],
      compilerOptions: { paths: { '@1security/contract': ['../contract/src/index.ts'] } },
    },
    sourcemap: true,
    clean: false,
    treeshake: true,
    noExternal: ['@1security/contract'],
    external: ['@ts-rest/core', 'zod'],
    esbuildOptions: aliasZodOpenapi,
  },
  {
    entry: { 'cli/onesec': 'src/cli/bin.ts' },
    format: ['cjs'],
    target: 'node18',
    platform: 'node',
    dts: false,
    sourcemap: false,
    clean: false,
    treeshake: true,
    noExternal: ['@1security/contract', 'commander'],
    external: ['@ts-rest/core', 'zod'],
    esbuildOptions: aliasZodOpenapi,
  },
]);
