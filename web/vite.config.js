import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is served same-origin with the API by lighttpd or Apache, from the
// repository's public/ directory. Asset names carry a content hash so the
// servers can cache /assets/ for a long time while index.html stays uncached.
export default defineConfig({
  plugins: [react()],
  // No static files are copied verbatim: everything goes through the bundler
  // and gets a hashed name.
  publicDir: false,
  build: {
    outDir: '../public',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Never inline assets as data: URLs; the CSP (default-src 'self') would
    // block them.
    assetsInlineLimit: 0,
    // A separate CSS file: style-src 'self' allows no inline <style>.
    cssCodeSplit: false,
    sourcemap: false,
    // Vite's modulepreload polyfill is bundled into the entry chunk, not
    // inlined, so script-src 'self' is enough.
  },
  // `npm run dev` for working on the app: the API is proxied to a running
  // `make run` (lighttpd on 127.0.0.1:8080 unless LATCHKEY_API says
  // otherwise), so the page and the API still share one origin.
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': process.env.LATCHKEY_API || 'http://127.0.0.1:8080',
    },
  },
});
