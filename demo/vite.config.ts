/**
 * The demo page: Vite with root demo/ on port 5173 (strict: the auth server's CORS list names it).
 * The stack starts it (demo/stack/stack.ts) and tells it the media host in VITE_HLSGATE_MEDIA_URL.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: '127.0.0.1', fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/demo', import.meta.url)),
    emptyOutDir: true,
    rollupOptions: { input: { index: `${root}index.html`, multi: `${root}multi.html` } },
  },
});
