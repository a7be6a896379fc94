// One implementation for the tests and `pnpm screenshot`: scripts are plain Node, so it lives there.
export { chromiumLaunchOptions } from "../../scripts/lib/chromium.mjs";
