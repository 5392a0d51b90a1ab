import { defineConfig } from 'tsup';

/**
 * The server and the admin CLI as plain JavaScript (`dist/main.js`, `dist/cli.js`), which is
 * what `pnpm start` runs: no TypeScript loader in the running process (tsx costs ~120 MB of
 * RSS and a second process), one process to signal. The workspace packages ship TypeScript
 * source, so they are bundled in, with what only they depend on; the server's own
 * dependencies stay in node_modules.
 */
export default defineConfig({
  entry: { main: 'src/main.ts', cli: 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  noExternal: [/^@1security\//, '@anatine/zod-openapi', '@ts-rest/open-api', 'openapi3-ts'],
  // Bundled CommonJS modules (the OpenAPI generator) `require` the externals.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
