import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { expect } from "@playwright/test";
import { accepts, processTree, signalGroup } from "../../apps/server/test/support/process-tree";
import { waitUntil } from "../../apps/server/test/support/wait-until";

/** Nothing accepts connections on `port`, once a stopping process has let go of it. */
export async function expectNotListening(port: number): Promise<void> {
  await waitUntil(async () => !(await accepts(port)), { what: `port ${port} to be free`, intervalMs: 250 }).catch(() => undefined);
  expect(await accepts(port)).toBe(false);
}

/**
 * The clean-up after a script started in a group of its own (`pnpm dev`, `pnpm start:cluster`):
 * SIGTERM to the group (the script passes it on to its children, which run in groups of their
 * own), then SIGKILL to every group the tree had, so a bug in the script cannot leave a server behind.
 */
export async function stopGroup(script: ChildProcess): Promise<void> {
  const pid = script.pid;
  if (pid === undefined) return;
  const groups = new Set([pid, ...processTree(pid).map((member) => member.pgid)]);
  const exited = script.exitCode !== null || script.signalCode !== null ? Promise.resolve() : once(script, "exit").then(() => undefined);
  signalGroup(pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  // The script waits for its children before it exits; anything still alive now is stuck.
  for (const group of groups) signalGroup(group, "SIGKILL");
}
