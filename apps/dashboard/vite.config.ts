import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { DASHBOARD_BASE_PATH } from './serve.ts';

export default defineConfig({
  base: `${DASHBOARD_BASE_PATH}/`,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP forbids inline scripts and `data:` scripts: every asset is a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
