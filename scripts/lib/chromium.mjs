// Which Chromium Playwright launches, shared by the end-to-end tests (playwright.config.ts, through
// e2e/support/browser.ts) and `pnpm screenshot`.
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/** Flags that keep a distro Chromium quiet and working as root in a container. */
const SYSTEM_CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Playwright's own Chromium if `npx playwright install chromium` put one in place, else
 * `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. With none, this throws and says how to get
 * one, instead of every test failing later on its own.
 */
export function chromiumLaunchOptions() {
  const bundled = safeExecutablePath();
  if (bundled && existsSync(bundled)) return {};

  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"].filter(Boolean);
  const system = candidates.find((path) => existsSync(path));
  if (system) return { executablePath: system, args: SYSTEM_CHROMIUM_ARGS };

  throw new Error(
    [
      "No Chromium found. Looked for:",
      `  - Playwright's own Chromium at ${bundled ?? "(unknown path)"}`,
      `  - CHROMIUM_PATH=${process.env.CHROMIUM_PATH ?? "(unset)"}`,
      "  - /usr/bin/chromium",
      "Install one of them:",
      "  apt-get install -y chromium          (Debian/Ubuntu; then it is found at /usr/bin/chromium)",
      "  npx playwright install chromium      (Playwright's own build)",
      "or point CHROMIUM_PATH at an existing Chromium/Chrome binary.",
    ].join("\n"),
  );
}

function safeExecutablePath() {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}
