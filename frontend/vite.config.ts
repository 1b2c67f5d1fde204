import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Every HTML entry of the multi-page app; the backend serves `dist/` at `/`. */
const pages = {
  index: resolve(root, "index.html"),
  login: resolve(root, "login/index.html"),
  wall: resolve(root, "wall/index.html"),
  console: resolve(root, "console/index.html"),
  leader: resolve(root, "leader/index.html"),
  responder: resolve(root, "responder/index.html"),
  casework: resolve(root, "casework/index.html"),
  psych: resolve(root, "psych/index.html"),
  ledgers: resolve(root, "ledgers/index.html"),
  rentals: resolve(root, "rentals/index.html"),
  disputes: resolve(root, "disputes/index.html"),
};

/** Where `npm run dev` sends API and WebSocket calls (the Litestar backend). */
const backend = process.env.PINGAN_BACKEND_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      input: pages,
      output: {
        // Big libraries in their own long-cached chunks, so an app change does not re-download them.
        codeSplitting: {
          groups: [
            { name: "maplibre", test: /node_modules[\\/]maplibre-gl[\\/]/ },
            { name: "deckgl", test: /node_modules[\\/](@deck\.gl|@luma\.gl|@loaders\.gl|@math\.gl|@probe\.gl|mjolnir\.js|h3-js|earcut|gl-matrix)[\\/]/ },
          ],
        },
      },
    },
  },
  // MapLibre v6 starts its worker as an ES module worker; keep the bundled worker ESM too.
  worker: { format: "es" },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/schema": { target: backend, changeOrigin: false },
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
    },
  },
  preview: { port: 4173, strictPort: true },
});
