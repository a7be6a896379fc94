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
    sourcemap: true,
  },
});
