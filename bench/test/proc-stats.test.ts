import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../apps/server/test/support/wait-until";
import { cpuSplit, treeCpuSplit } from "../src/proc-stats";

/**
 * PostgreSQL's CPU in the cluster bench is its process tree's: the postmaster, its live backends,
 * and backends that exited meanwhile (counted in the postmaster's cutime once it reaped them).
 * Here a parent runs one child that burns CPU and exits, then a second that keeps burning.
 */
const BURN = "const end = process.cpuUsage().user + 300_000; while (process.cpuUsage().user < end);";
const PARENT = `
const { spawn } = require("node:child_process");
const burn = ${JSON.stringify(BURN)};
spawn(process.execPath, ["-e", burn]).on("exit", () => {
  process.stdout.write("first-exited\\n");
  spawn(process.execPath, ["-e", burn + " process.stdout.write('burned\\\\n'); setInterval(() => {}, 1000);"], { stdio: ["ignore", "inherit", "inherit"] });
});
setInterval(() => {}, 1000);
`;

describe("treeCpuSplit", () => {
  // Its own process group, so the end of the test kills the children with it.
  const parent = spawn(process.execPath, ["-e", PARENT], { stdio: ["ignore", "pipe", "inherit"], detached: true });
  let out = "";
  parent.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  afterAll(() => {
    // The parent's group: the parent and its live child.
    process.kill(-(parent.pid as number), "SIGKILL");
  });

  it("counts exited children through the parent and live ones directly", async () => {
    await waitUntil(() => out.includes("burned"), { what: "both children to burn their CPU", timeoutMs: 30_000 });
    const own = cpuSplit(parent.pid as number);
    const tree = treeCpuSplit(parent.pid as number);
    // Each child burned ≥ 0.3 s of user time; the parent itself almost nothing.
    expect(tree.user - own.user).toBeGreaterThanOrEqual(0.55);
  }, 40_000);
});
