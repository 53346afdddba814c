import { defineConfig } from "vite";
import { resolve } from "node:path";

const page = (name: string) => resolve(import.meta.dirname, `${name}.html`);

export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Each page is its own entry: the phone page never loads the board's code.
    rollupOptions: { input: { index: page("index"), new: page("new"), join: page("join") } },
  },
  server: { proxy: { "/api": "http://localhost:8080", "/ws": { target: "ws://localhost:8080", ws: true } } },
});
