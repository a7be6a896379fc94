// Bundles the server and the workspace protocol package into one file; npm dependencies stay
// external and load from node_modules.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const external = Object.keys(pkg.dependencies).filter((name) => !name.startsWith("@chatroom/"));

await build({
  // The admin-link CLI too, so a production build can run it without tsx (dist/cli/admin-link.js).
  entryPoints: ["src/server.ts", "src/cli/admin-link.ts"],
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: [...external, "pino-pretty"],
  logLevel: "warning",
});
