import { defineConfig, loadEnv } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The dashboard is served by the appliance itself at `/`, on the same origin
 * as the API and socket.io, so the build needs no API URL. `npm run dev`
 * proxies both to a running appliance (PBX_API_URL, default :8080).
 */
export default defineConfig(({ mode }) => {
  const target = loadEnv(mode, '.', '').PBX_API_URL || 'http://127.0.0.1:8080';
  return {
    base: '/',
    plugins: [react()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
    },
    server: {
      proxy: {
        '/api': { target },
        '/socket.io': { target, ws: true },
      },
    },
  };
});
