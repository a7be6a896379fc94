import { existsSync, readFileSync, statSync } from "node:fs";

/** Who has the SQLite store open, as far as this machine can tell. */
export type StoreUse = { open: false } | { open: true; by: string };

/**
 * Whether another process has `file` open. A SQLite connection in WAL mode holds a shared POSIX
 * lock on its `-shm` file for as long as it is open, so on Linux `/proc/locks` names the process.
 * Elsewhere (no /proc/locks), a non-empty `-wal` file is the sign: SQLite removes it when the
 * last connection closes cleanly, so it is there while a server runs (or after one was killed).
 * Called before this command opens the file, so its own lock is not counted.
 */
export function storeInUse(file: string): StoreUse {
  const shm = `${file}-shm`;
  const wal = `${file}-wal`;
  if (existsSync("/proc/locks")) {
    if (!existsSync(shm)) return { open: false };
    const inode = statSync(shm).ino;
    for (const line of readFileSync("/proc/locks", "utf8").split("\n")) {
      // "1: POSIX  ADVISORY  READ 4242 08:01:1234567 128 128": pid, then major:minor:inode.
      const fields = line.trim().split(/\s+/);
      const owner = fields[4];
      const locked = fields[5]?.split(":")[2];
      if (owner && locked && Number(locked) === inode && Number(owner) !== process.pid) return { open: true, by: `process ${owner}` };
    }
    return { open: false };
  }
  if (existsSync(wal) && statSync(wal).size > 0) return { open: true, by: `a process (${wal} is not empty)` };
  return { open: false };
}
