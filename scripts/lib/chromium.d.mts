import type { LaunchOptions } from "@playwright/test";

/** See chromium.mjs. Typed here so the TypeScript e2e config can import the one implementation. */
export function chromiumLaunchOptions(): LaunchOptions;
