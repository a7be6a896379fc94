import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";

/**
 * Processes as the tests that start whole process trees (`pnpm dev`, `pnpm start:cluster`) see
 * them, from /proc: who descends from whom, who is still running, and signals to whole groups.
 * The one implementation for server tests and e2e.
 */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (a zombie waiting for its parent to read its status), ... */
  state: string;
  ppid: number;
  pgid: number;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    // The command name is in parentheses and may contain spaces; the fields after it are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "", ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    // Exited while we looked.
    return undefined;
  }
}

/** The descendants of `root` with their process groups (empty where /proc cannot be read). */
export function processTree(root: number): Array<{ pid: number; pgid: number }> {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const all = entries.flatMap((entry) => procStat(Number(entry)) ?? []);
  const tree: Array<{ pid: number; pgid: number }> = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const candidate of all) {
      if (parents.has(candidate.ppid) && !parents.has(candidate.pid)) {
        parents.add(candidate.pid);
        tree.push({ pid: candidate.pid, pgid: candidate.pgid });
        grew = true;
      }
    }
  }
  return tree;
}

/** Running, not a zombie waiting for its parent to read its status. */
export function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

/** Signals every process of the group `pid` leads; a group that is gone already is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Whether something accepts connections on `port`, on either loopback address. */
export async function accepts(port: number): Promise<boolean> {
  const tries = ["127.0.0.1", "::1"].map(
    (host) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ port, host });
        socket.once("connect", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      }),
  );
  return (await Promise.all(tries)).some(Boolean);
}
