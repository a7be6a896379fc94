import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";
import { freePort } from "./apps/server/test/support/free-port";
import { chromiumLaunchOptions } from "./e2e/support/browser";

const serverEntry = "apps/server/dist/server.js";
if (!existsSync(serverEntry) || !existsSync("apps/web/dist/index.html")) {
  throw new Error(
    `The end-to-end tests run the production build, and ${serverEntry} or apps/web/dist is missing: run \`pnpm build\` first.`,
  );
}

// Playwright loads this file again in every worker. The port and data directory are chosen once,
// in the runner, and handed to the workers through the environment they inherit.
if (!process.env.CHATROOM_E2E_PORT) {
  process.env.CHATROOM_E2E_PORT = String(await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), "chatroom-e2e-"));
  process.env.CHATROOM_E2E_DATA_DIR = dataDir;
  process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
}
const port = Number(process.env.CHATROOM_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "e2e",
  // Two cores: a second worker overlaps one test's waiting with another's work; more would starve both.
  workers: 2,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // A bound for hangs, not a speed target. On a machine shared with other work (load 20+) the
  // three-tab change story took 88 s to pass every assertion and was cut at 90 s closing its
  // contexts (CI run 59); the same test takes about 30 s on a quiet machine.
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["line"]] : [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    locale: "en-US",
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions(),
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    // The README's production command, so the tests prove it works as written.
    command: "pnpm start",
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      HISTORY: "sqlite",
      DATA_DIR: process.env.CHATROOM_E2E_DATA_DIR ?? "",
      LOG_LEVEL: "warn",
    },
  },
});
