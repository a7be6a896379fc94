import { readFileSync } from "node:fs";
import { processTree } from "../../apps/server/test/support/process-tree";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** utime and stime apart: on loopback the kernel's share (stime) includes the TCP path of every write. */
export function cpuSplit(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may contain spaces; fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** Resident and peak resident set size in bytes, from /proc/<pid>/status. */
export function memory(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * CPU seconds of a whole process tree, e.g. PostgreSQL's postmaster and its backends: the root's
 * own time plus what it collected from children that exited (cutime + cstime), plus the time of
 * every descendant still running. A backend that exits between two readings is counted through
 * its parent, so the difference of two readings is the tree's CPU in between.
 */
export function treeCpuSplit(root: number): { user: number; system: number } {
  let user = 0;
  let system = 0;
  try {
    const stat = readFileSync(`/proc/${root}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    user += (Number(fields[11]) + Number(fields[13])) / TICKS_PER_SECOND;
    system += (Number(fields[12]) + Number(fields[14])) / TICKS_PER_SECOND;
  } catch {
    return { user: 0, system: 0 };
  }
  for (const { pid } of processTree(root)) {
    const one = cpuSplit(pid);
    user += one.user;
    system += one.system;
  }
  return { user, system };
}
