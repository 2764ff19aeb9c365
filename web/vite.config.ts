import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway to proxy to in development: GATEWAY_URL, else the default `gateway serve` port.
const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // Vite would inline small assets as data: URLs; keep them files so a strict CSP needs no data: sources.
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    strictPort: false,
    proxy: {
      "/graphql": { target: gateway, changeOrigin: false },
      "/healthz": { target: gateway, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      "/graphql": { target: gateway, changeOrigin: false },
      "/healthz": { target: gateway, changeOrigin: false },
    },
  },
});
