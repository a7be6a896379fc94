#!/usr/bin/env node
// `pnpm dev`: the server in watch mode plus Vite's dev server, which proxies /ws and /api to it.
// One command, one Ctrl+C (exit status 0). Output lines are prefixed with the process they came
// from, and the address to open is printed last, once both answer.
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { browsableHost, createSupervisor, waitForUrl } from "./lib/supervisor.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const serverDir = join(root, "apps/server");
const webDir = join(root, "apps/web");

const serverPort = process.env.PORT ?? "8080";
const webPort = process.env.WEB_PORT ?? "5173";
const webHost = process.env.WEB_HOST ?? "localhost";
// The server runs from apps/server in dev; point it at the same ./data as `pnpm start` uses.
const dataDir = process.env.DATA_DIR ?? join(root, "data");
const env = { ...process.env, PORT: serverPort, WEB_PORT: webPort, DATA_DIR: dataDir, FORCE_COLOR: "1" };

const webUrl = `http://${browsableHost(webHost)}:${webPort}`;
const serverUrl = `http://${browsableHost(process.env.HOST ?? "127.0.0.1")}:${serverPort}`;

// The tools the apps' own `dev` scripts run, started directly rather than through `pnpm run`:
// a nested pnpm reports a child stopped by a signal as a failure, which made every Ctrl+C end in
// ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL. Keep these in step with apps/server and apps/web package.json.
const tsxCli = createRequire(join(serverDir, "package.json")).resolve("tsx/cli");
const viteRequire = createRequire(join(webDir, "package.json"));
const vitePackage = viteRequire.resolve("vite/package.json");
const viteCli = join(dirname(vitePackage), viteRequire(vitePackage).bin.vite);

const supervisor = createSupervisor();
console.log(`Chatroom dev: starting the server (watch mode, port ${serverPort}) and Vite (port ${webPort})…`);
supervisor.run("server", 36, process.execPath, [tsxCli, "watch", "--clear-screen=false", "src/server.ts"], { cwd: serverDir, env });
supervisor.run("web", 35, process.execPath, [viteCli, "--host", webHost], { cwd: webDir, env });

const ready = (await waitForUrl(`${serverUrl}/healthz`, supervisor)) && (await waitForUrl(`${webUrl}/`, supervisor));
if (ready) {
  console.log("");
  console.log(`  Chatroom dev is ready: open ${webUrl} (in several tabs to chat).`);
  console.log(`  That is Vite, with live reload; it proxies /api and /ws to the server on ${serverUrl}.`);
  console.log("  Ctrl+C stops both.");
  console.log("");
}
