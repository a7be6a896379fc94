// What the real server process prints and answers for a developer: the polled routes do not log
// every request at the default level, /ws still does, and without a built page `/` explains where
// the page is instead of a bare JSON 404 (and the listening line does not invite you to this port).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WEB_NOT_BUILT_PAGE } from "../../src/routes/web-not-built";
import { freePort } from "../support/free-port";
import { type ServerProcess, spawnServer } from "../support/server-process";
import { type TempDir, tempDir } from "../support/temp-dir";
import { TestClient } from "../support/test-client";
import { waitUntil } from "../support/wait-until";

let server: ServerProcess | undefined;
let dir: TempDir | undefined;

afterEach(async () => {
  await server?.kill("SIGKILL");
  server = undefined;
  dir?.remove();
  dir = undefined;
});

async function start(env: Record<string, string>): Promise<ServerProcess> {
  dir = tempDir("chatroom-dev-server-");
  server = spawnServer({ PORT: String(await freePort()), HISTORY: "memory", WEB_DIST: join(dir.path, "web"), ...env });
  await server.ready();
  return server;
}

/** The JSON log lines written so far (production logs one object per line). */
function logLines(process: ServerProcess): Array<Record<string, unknown>> {
  return process
    .output()
    .stdout.split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function loggedUrls(process: ServerProcess): string[] {
  return logLines(process).flatMap((line) => {
    const req = line.req as { url?: string } | undefined;
    return req?.url ? [req.url] : [];
  });
}

/**
 * Requests a path no route has (Fastify logs its 404 at info) and waits until its log line is out:
 * every request made before it has been logged by then, or never will be.
 */
async function flushLogs(process: ServerProcess): Promise<void> {
  const sentinel = `/api/log-sentinel-${Math.random().toString(36).slice(2)}`;
  expect((await fetch(`${process.url}${sentinel}`)).status).toBe(404);
  await waitUntil(() => loggedUrls(process).includes(sentinel), {
    what: "the sentinel request's log line",
    timeoutMs: 20_000,
    intervalMs: 50,
    describe: () => process.output().stdout,
  });
}

async function poll(process: ServerProcess): Promise<void> {
  for (const path of ["/api/rooms", "/api/rooms?limit=5", "/healthz", "/readyz"]) {
    const response = await fetch(`${process.url}${path}`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  }
}

describe("request logging of the polled routes", () => {
  it("at the default info level, /api/rooms, /healthz and /readyz log nothing while /ws and other requests still do", async () => {
    const running = await start({ NODE_ENV: "production", LOG_LEVEL: "info" });
    await poll(running);
    const client = await TestClient.join(running.wsUrl, { room: "devlogs", name: "ann" });
    await client.close();
    await flushLogs(running);

    const urls = loggedUrls(running);
    // Logged, and with nothing in its URL: protocol 2 carries no parameters (and no token) there.
    expect(urls.filter((url) => url.startsWith("/ws"))).toEqual(["/ws"]);
    expect(urls.filter((url) => /^\/(api\/rooms|healthz|readyz)/.test(url))).toEqual([]);
    expect(logLines(running).filter((line) => line.msg === "incoming request").length).toBeGreaterThanOrEqual(2);
  });

  it("at debug level they are logged like any other route", async () => {
    const running = await start({ NODE_ENV: "production", LOG_LEVEL: "debug" });
    await poll(running);
    await flushLogs(running);
    const urls = loggedUrls(running);
    expect(urls).toContain("/api/rooms");
    expect(urls).toContain("/healthz");
    expect(urls).toContain("/readyz");
  });
});

describe("a server without the built page", () => {
  it("answers / with a short HTML page pointing at Vite and `pnpm build`, and says so when it starts", async () => {
    const running = await start({ NODE_ENV: "development", LOG_LEVEL: "info" });
    const response = await fetch(`${running.url}/`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toBe(WEB_NOT_BUILT_PAGE);
    expect(body).toContain("pnpm dev");
    expect(body).toContain("pnpm build");
    // The CSP the other pages get applies here too, and the page needs nothing it forbids.
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(body).not.toMatch(/<script|<style|style=/);
    // Other unknown paths keep the JSON 404.
    expect(await (await fetch(`${running.url}/api/nope`)).json()).toMatchObject({ statusCode: 404 });

    // In development pino-pretty writes from a worker thread, so the line can trail the open port.
    const stdout = await waitUntil(() => /listening on/.test(running.output().stdout) && running.output().stdout, {
      what: "the listening line",
      describe: () => running.output().stdout,
    });
    expect(stdout).toContain(`Chatroom API and /ws are listening on ${running.url}`);
    expect(stdout).toContain("the page is not built");
    expect(stdout).not.toContain("Chatroom is listening");
  });

  it("with the page built, / serves it and the usual line is printed", async () => {
    dir = tempDir("chatroom-dev-server-");
    const web = join(dir.path, "web");
    mkdirSync(web);
    writeFileSync(join(web, "index.html"), "<!doctype html><title>built page</title>");
    server = spawnServer({ PORT: String(await freePort()), HISTORY: "memory", WEB_DIST: web, NODE_ENV: "production", LOG_LEVEL: "info" });
    await server.ready();
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("built page");
    const stdout = await waitUntil(() => /listening on/.test(server?.output().stdout ?? "") && server?.output().stdout);
    expect(stdout).toContain(`Chatroom is listening on ${server.url} (backend: memory)`);
  });
});
