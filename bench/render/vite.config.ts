import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

/**
 * The bench-only "plain tldraw" page (bench/render/index.html). Built into a
 * temp dir by bench/render.ts, never into client/dist: the benchmark passes
 * `build.outDir`.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react()],
  logLevel: "warn",
  build: { emptyOutDir: true, chunkSizeWarningLimit: 4096 },
});
