import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const dependenciesOf = (packageJson: string): string[] =>
  Object.keys(
    (JSON.parse(readFileSync(new URL(packageJson, import.meta.url), 'utf8')) as { dependencies?: object })
      .dependencies ?? {},
  );

/**
 * The server as plain JavaScript (`dist/main.js`), which is what `pnpm start` runs: no
 * TypeScript loader in the running process (tsx costs ~100 MB of RSS and a second process),
 * one process to signal. The workspace packages ship TypeScript
 * source, so they are bundled in, with what only they depend on; the server's own
 * dependencies stay in node_modules.
 */
export default defineConfig({
  // The admin CLI too (`dist/cli.js`): `bin/admin.mjs` runs it while it is newer than every
  // input the metafile lists, and the TypeScript source otherwise.
  entry: { main: 'src/main.ts', cli: 'src/cli/main.ts' },
  metafile: true,
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // The workspace packages and what only they depend on (pnpm does not let the server resolve
  // their dependencies from its own node_modules).
  noExternal: [
    /^@1security\//,
    ...[...dependenciesOf('../../packages/contract/package.json'), ...dependenciesOf('../docs/package.json')]
      .filter((name) => !dependenciesOf('./package.json').includes(name))
      .map((name) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|$)`)),
  ],
  // Bundled CommonJS modules (the OpenAPI generator) `require` the externals.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
