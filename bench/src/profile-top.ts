/**
 * `node --import tsx bench/src/profile-top.ts <file.cpuprofile> [count]`: the functions with the
 * most self time in a V8 CPU profile (as written by `node --cpu-prof`), for docs/performance.md.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, countArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: profile-top <file.cpuprofile> [count]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i] as number);
  const dt = profile.timeDeltas[i] ?? 0;
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, "").replace(/^file:\/\/.*\/apps\//, "apps/")}:${lineNumber + 1}`
    : "";
  const key = `${functionName || "(anonymous)"} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
}
const busy = total - (self.get("(idle)") ?? 0);
console.log(`total ${(total / 1000).toFixed(0)} ms, busy (not idle) ${(busy / 1000).toFixed(0)} ms`);
console.log("| self ms | % of busy | function |\n|---:|---:|---|");
for (const [key, us] of [...self.entries()]
  .filter(([k]) => k !== "(idle)")
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(countArg ?? 20))) {
  console.log(`| ${(us / 1000).toFixed(1)} | ${((100 * us) / busy).toFixed(1)} % | \`${key}\` |`);
}
