#!/usr/bin/env node
// `pnpm dev`: the server in watch mode plus Vite's dev server, which proxies /ws and /api to it.
// One command, one Ctrl+C. Output lines are prefixed with the process they came from.
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pipePrefixed } from "./lib/prefixed-output.mjs";

const serverPort = process.env.PORT ?? "8080";
const webPort = process.env.WEB_PORT ?? "5173";
// The server runs from apps/server in dev; point it at the same ./data as `pnpm start` uses.
const dataDir = process.env.DATA_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "../data");
const env = { ...process.env, PORT: serverPort, WEB_PORT: webPort, DATA_DIR: dataDir, FORCE_COLOR: "1" };

const processes = [
  { name: "server", color: 36, args: ["--filter", "@chatroom/server", "run", "dev"] },
  { name: "web", color: 35, args: ["--filter", "@chatroom/web", "run", "dev", "--host", process.env.WEB_HOST ?? "localhost"] },
].map(({ name, color, args }) => {
  const child = spawn("pnpm", args, { env, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
  const prefix = pipePrefixed(child, name, color);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the rest`);
      stop(code ?? 1);
    }
  });
  return child;
});

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of processes) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  }
  setTimeout(() => process.exit(code), 1500).unref();
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
console.log(`Chatroom dev: open http://localhost:${webPort} in several tabs (server on :${serverPort}).`);
