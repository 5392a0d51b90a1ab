import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

/**
 * ESM + CJS + .d.ts. The private contract package is bundled in (code and types), so the
 * published package depends only on @ts-rest/core and zod.
 */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  target: 'node18',
  platform: 'node',
  dts: {
    resolve: ['@1security/contract'],
    compilerOptions: { paths: { '@1security/contract': ['../contract/src/index.ts'] } },
  },
  sourcemap: true,
  clean: true,
  treeshake: true,
  noExternal: ['@1security/contract'],
  external: ['@ts-rest/core', 'zod'],
  esbuildOptions(options) {
    options.alias = {
      ...options.alias,
      '@anatine/zod-openapi': fileURLToPath(new URL('./build/zod-openapi-shim.ts', import.meta.url)),
    };
  },
});
