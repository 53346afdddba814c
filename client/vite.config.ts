import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { resolve } from "node:path";

const page = (name: string) => resolve(import.meta.dirname, `${name}.html`);

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // tldraw's assets are imported as URLs; pre-bundling would break them.
  optimizeDeps: { exclude: ["@tldraw/assets"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Each page is its own entry: the phone page never loads the board's code.
    rollupOptions: {
      input: {
        index: page("index"),
        new: page("new"),
        join: page("join"),
        board: page("board"),
        archive: page("archive"),
        admin: page("admin"),
        series: page("series"),
      },
    },
  },
  server: { proxy: { "/api": "http://localhost:8080", "/ws": { target: "ws://localhost:8080", ws: true } } },
});
