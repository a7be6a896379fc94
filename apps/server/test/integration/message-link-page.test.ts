import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../support/start-server";
import { type TempDir, tempDir } from "../support/temp-dir";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();
let dir: TempDir | null = null;

afterEach(() => {
  dir?.remove();
  dir = null;
});

describe("links to a message", () => {
  it("the page is served at /r/<room>/<seq>, as at /r/<room>: the page reads the address itself", async () => {
    dir = tempDir("chatroom-web-");
    writeFileSync(join(dir.path, "index.html"), "<!doctype html><title>the page</title>");
    const server = cleanup.track(await startServer({ WEB_DIST: dir.path }));
    for (const path of ["/r/lobby/1", "/r/dev/4711", "/r/dev/4711/", "/r/Dev/99999999", "/r/dev", "/r/dev/4711?name=ann"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(await response.text(), path).toContain("the page");
    }
    // A missing asset is still a 404, not the page.
    expect((await fetch(`${server.url}/r/dev/4711.js`)).status).toBe(404);
  });
});
