import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { zodPageTrim } from "./zod-page-trim";

const apiTarget = process.env.CHATROOM_API ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`;

export default defineConfig({
  plugins: [react(), zodPageTrim()],
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    strictPort: true,
    proxy: {
      "/ws": { target: apiTarget, ws: true },
      "/api": { target: apiTarget },
    },
  },
  build: {
    target: "es2022",
    // Every browser of the es2022 target but old Safari preloads modules natively; without the
    // polyfill the page is the same there, only its lazy chunks are not preloaded (issue 12's budget).
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
});
