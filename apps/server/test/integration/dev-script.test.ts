// `scripts/dev.mjs` (what `pnpm dev` runs) for real, on free ports: it prints Vite's address last,
// the routine polling stays out of the console, and a Ctrl+C (SIGINT to its process group, as a
// terminal sends it) stops the server and Vite, leaves nothing running and exits with status 0.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterEach, expect, it } from "vitest";
import { freePort } from "../support/free-port";
import { accepts, alive, processTree, signalGroup } from "../support/process-tree";
import { REPO_ROOT } from "../support/server-process";
import { type TempDir, tempDir } from "../support/temp-dir";
import { TestClient } from "../support/test-client";
import { waitUntil } from "../support/wait-until";

const START_DEADLINE_MS = 120_000;

let dir: TempDir | undefined;
const groups = new Set<number>();

afterEach(() => {
  // Whatever happened above, nothing the test started survives it.
  for (const group of groups) signalGroup(group, "SIGKILL");
  groups.clear();
  dir?.remove();
  dir = undefined;
});

it("pnpm dev prints the Vite address last, keeps polling quiet, and a Ctrl+C stops everything with status 0", {
  timeout: 240_000,
}, async () => {
  const serverPort = await freePort();
  const webPort = await freePort();
  dir = tempDir("chatroom-dev-script-");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(serverPort),
    WEB_PORT: String(webPort),
    DATA_DIR: join(dir.path, "data"),
    // Not built, whatever the checkout holds: the case where the server's port has no page.
    WEB_DIST: join(dir.path, "no-web-dist"),
  };
  // `pnpm dev` is development mode, whatever the test runner's environment says.
  delete env.NODE_ENV;
  delete env.LOG_LEVEL;
  delete env.HOST;
  delete env.WEB_HOST;

  // A group of its own, like a shell's foreground job, so the SIGINT below is what Ctrl+C sends.
  const child = spawn(process.execPath, ["scripts/dev.mjs"], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  if (child.pid === undefined) throw new Error("could not start scripts/dev.mjs");
  groups.add(child.pid);
  let raw = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    raw += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    raw += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  // Without colours: the script forces them on for its children.
  const output = () => stripVTControlCharacters(raw);

  const webUrl = `http://localhost:${webPort}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  /** Waits for `condition`; fails at once if dev.mjs exits meanwhile. */
  const until = async (condition: () => boolean, what: string) => {
    await waitUntil(() => condition() || !running(), { what, timeoutMs: START_DEADLINE_MS, intervalMs: 100, describe: output });
    if (!condition()) throw new Error(`exited while waiting for ${what}:\n${output()}`);
  };
  await until(() => output().includes("Chatroom dev is ready"), "the ready banner");
  for (const member of processTree(child.pid)) groups.add(member.pgid);

  // The banner names Vite's address, and comes after both children said they were up.
  const text = output();
  const banner = text.indexOf("Chatroom dev is ready");
  expect(text.slice(banner).split("\n")[0]).toBe(`Chatroom dev is ready: open ${webUrl} (in several tabs to chat).`);
  expect(text.indexOf(`Local:   ${webUrl}/`)).toBeGreaterThan(-1);
  expect(text.indexOf(`Local:   ${webUrl}/`)).toBeLessThan(banner);
  const listening = text.indexOf(`Chatroom API and /ws are listening on http://127.0.0.1:${serverPort}`);
  expect(listening).toBeGreaterThan(-1);
  expect(listening).toBeLessThan(banner);
  expect(text).not.toContain("Chatroom is listening");

  // That address serves the page; the server's own port explains that it does not.
  const page = await fetch(`${webUrl}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root">');
  const apiRoot = await fetch(`http://127.0.0.1:${serverPort}/`);
  expect(apiRoot.status).toBe(404);
  expect(await apiRoot.text()).toContain("pnpm build");

  // Polling through Vite's proxy logs nothing; a /ws connection and an unknown path still do.
  for (let index = 0; index < 3; index++) {
    const rooms = await fetch(`${webUrl}/api/rooms`);
    expect(rooms.status).toBe(200);
    await rooms.body?.cancel();
  }
  const client = await TestClient.join(`ws://localhost:${webPort}/ws`, { room: "devscript", name: "ann" });
  await client.close();
  const sentinel = `/api/log-sentinel-${Math.random().toString(36).slice(2)}`;
  expect((await fetch(`${webUrl}${sentinel}`)).status).toBe(404);
  await until(() => output().includes(`"url": "${sentinel}"`), "the sentinel request's log line");
  // The /ws request is logged, and its URL carries nothing (protocol 2 puts no token in a URL).
  expect(output()).toMatch(/"url": "\/ws"/);
  expect(output()).not.toContain("session=");
  expect(output()).not.toMatch(/"url": "\/(api\/rooms|healthz|readyz)/);

  // Ctrl+C.
  const members = processTree(child.pid);
  expect(members.length).toBeGreaterThanOrEqual(2);
  signalGroup(child.pid, "SIGINT");
  const status = await exited;
  expect({ status, output: output().slice(-3000) }).toMatchObject({ status: { code: 0, signal: null } });
  expect(output()).toContain("shutting down");
  expect(output()).not.toMatch(/ERR_PNPM|ELIFECYCLE|did not stop cleanly|exited \(/);

  // Nothing it started is left: no process of its tree, nothing on either port.
  await waitUntil(() => members.every(({ pid }) => !alive(pid)), {
    what: "the dev processes to be gone",
    timeoutMs: START_DEADLINE_MS,
    intervalMs: 100,
    describe: () => JSON.stringify(members.filter(({ pid }) => alive(pid))),
  });
  expect(await accepts(serverPort)).toBe(false);
  expect(await accepts(webPort)).toBe(false);
});
