#!/usr/bin/env node
// Makes the README screenshots: starts the production build on a free port with in-memory history,
// lets three participants chat in a real browser, and writes docs/screenshot.png (desktop) and
// docs/screenshot-phone.png. It builds nothing: run `pnpm build` first.
//
// SCREENSHOT_EXTRA=<dir> also writes dark-theme and drawer shots there, for reviewing the UI.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "./lib/chromium.mjs";
import { freePort } from "./lib/free-port.mjs";
import { waitForUrl } from "./lib/supervisor.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const serverEntry = join(root, "apps/server/dist/server.js");
const webIndex = join(root, "apps/web/dist/index.html");
const docs = join(root, "docs");
const extra = process.env.SCREENSHOT_EXTRA ? resolve(process.env.SCREENSHOT_EXTRA) : undefined;

for (const file of [serverEntry, webIndex]) {
  if (!existsSync(file)) fail(`${file} is missing: run \`pnpm build\` first.`);
}

function fail(message) {
  console.error(`screenshot: ${message}`);
  process.exit(1);
}

/** Waits for the server's /healthz; fails if it exits or takes longer than 15 s. */
async function waitForHealth(base, server) {
  const serverGone = {
    get stopping() {
      return server.exitCode !== null;
    },
  };
  if (await waitForUrl(`${base}/healthz`, serverGone, { deadlineMs: 15_000, pollMs: 100 })) return;
  if (server.exitCode !== null) fail(`the server exited with code ${server.exitCode}`);
  fail("the server did not become healthy within 15 s");
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [serverEntry], {
  cwd: root,
  env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", HISTORY: "memory", NODE_ENV: "production", LOG_LEVEL: "warn" },
  stdio: ["ignore", "inherit", "inherit"],
});

let browser;
try {
  await waitForHealth(base, server);
  browser = await chromium.launch(chromiumLaunchOptions());

  const desktop = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: "en-US", timezoneId: "Europe/Berlin" };
  const open = async (name, contextOptions = desktop, path = "/") => {
    const context = await browser.newContext(contextOptions);
    const page = await context.newPage();
    await page.goto(`${base}${path}?name=${encodeURIComponent(name)}`);
    await page.locator('.status-badge[data-status="open"]').waitFor();
    return page;
  };
  const say = async (page, text) => {
    const before = await page.locator('[data-testid="chat-message"]').count();
    await page.locator("#composer-input").fill(text);
    await page.locator("#composer-input").press("Enter");
    await page.locator('[data-testid="chat-message"]').nth(before).waitFor();
    await page.waitForTimeout(150);
  };

  const alice = await open("alice");
  const bob = await open("bob");
  const carol = await open("carol", {
    ...desktop,
    viewport: { width: 390, height: 800 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  // A second room, so the switcher has something to list.
  const dana = await open("dana", desktop, "/r/design");

  await say(alice, "Morning! Did the deploy go out?");
  await say(bob, "Yes, shipped at 9:10. Release notes are here: https://example.com/releases/1.4");
  await say(bob, "Resume after a restart works now, nothing was lost.");
  await say(carol, "Nice!\nI'll try it on my phone in a minute.");

  // Bob picks a friendlier name through the dialog.
  await bob.getByRole("button", { name: "Change name" }).click();
  await bob.locator("#name-input").fill("Bob Chen");
  await bob.locator("#name-input").press("Enter");
  await alice.getByText("bob is now Bob Chen").waitFor();

  await say(alice, "Thanks Bob. Multi-line messages keep their shape:\n  1. open three tabs\n  2. say hi");
  await say(dana, "Design review at 3 pm.");
  await say(carol, "Works great here, the drawer has the rooms.");

  // Let the room list refresh with every room's member count.
  await alice.waitForTimeout(5_500);

  // Someone is typing while the shots are taken.
  await bob.locator("#composer-input").focus();
  await bob.locator("#composer-input").pressSequentially("Looks good", { delay: 30 });
  await alice.locator('[data-testid="typing-indicator"]').getByText("Bob Chen is typing…").waitFor();
  await carol.locator('[data-testid="typing-indicator"]').getByText("Bob Chen is typing…").waitFor();
  await alice.locator("#composer-input").focus();

  mkdirSync(docs, { recursive: true });
  await alice.screenshot({ path: join(docs, "screenshot.png") });
  await carol.screenshot({ path: join(docs, "screenshot-phone.png") });
  console.log("screenshot: wrote docs/screenshot.png and docs/screenshot-phone.png");

  if (extra) {
    mkdirSync(extra, { recursive: true });
    await alice.emulateMedia({ colorScheme: "dark" });
    await alice.screenshot({ path: join(extra, "desktop-dark.png") });
    await carol.emulateMedia({ colorScheme: "dark" });
    await carol.screenshot({ path: join(extra, "phone-dark.png") });
    await carol.emulateMedia({ colorScheme: "light" });
    await carol.getByRole("button", { name: "Menu" }).click();
    await carol.waitForTimeout(400);
    await carol.screenshot({ path: join(extra, "phone-drawer.png") });
    const fresh = await browser.newContext(desktop);
    const newcomer = await fresh.newPage();
    await newcomer.goto(base);
    await newcomer.locator("#name-input").waitFor();
    await newcomer.screenshot({ path: join(extra, "name-dialog.png") });
    console.log(`screenshot: wrote review shots to ${extra}`);
  }
} finally {
  await browser?.close();
  server.kill("SIGTERM");
}
