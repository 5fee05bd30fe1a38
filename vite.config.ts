import { defineConfig, type Connect, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * lab.html (engine checks and benchmarks, src/lab/) is served cross-origin isolated (COOP/COEP) so tfjs-wasm can use
 * threads (SharedArrayBuffer). Only that page: the app itself keeps its ordinary cross-origin behaviour.
 */
const isolateLab: Connect.NextHandleFunction = (req, res, next) => {
  if (req.url?.startsWith('/lab.html')) {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  }
  next();
};
const labIsolation: Plugin = {
  name: 'lab-cross-origin-isolation',
  configureServer: (server) => void server.middlewares.use(isolateLab),
  configurePreviewServer: (server) => void server.middlewares.use(isolateLab),
};

export default defineConfig({
  plugins: [react(), labIsolation],
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false, watch: { ignored: ['**/.venv-py/**'] } },
  preview: { port: 4173 },
  build: {
    target: 'es2022',
    sourcemap: true,
    // index.html is the studio; lab.html exposes engine code to Playwright and `npm run bench` (src/lab/).
    rollupOptions: { input: { main: 'index.html', lab: 'lab.html' } },
  },
  // transformers.js pulls onnxruntime; we only use its tokenizers, keep it out of dependency pre-bundling scans.
  optimizeDeps: { exclude: ['onnxruntime-node'] },
});
