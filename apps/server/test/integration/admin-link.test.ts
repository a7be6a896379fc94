// The admin link as an operator meets it: the real server process prints it once, on stdout and
// outside the log, on first start only; `pnpm admin-link` prints a fresh one and the stored hash
// follows, so the old key is revoked.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../../src/security/secrets";
import { REPO_ROOT } from "../support/server-process";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";

const cleanup = useCleanup();
const LINK = /^admin link: (http:\/\/127\.0\.0\.1:\d+)\/#admin=([A-Za-z0-9_-]{43})$/m;

function storedHash(dataDir: string): string | undefined {
  const db = new Database(join(dataDir, "chat.db"), { readonly: true });
  try {
    return (db.prepare("SELECT value FROM settings WHERE key = 'admin-key-hash'").get() as { value: string } | undefined)?.value;
  } finally {
    db.close();
  }
}

describe("the admin link", () => {
  it("is printed once on first start, not on the next, and `pnpm admin-link` replaces it", { timeout: 60_000 }, async () => {
    const env = await cleanup.serverEnv({ LOG_LEVEL: "info" });
    const first = await cleanup.spawnServer(env);
    const [line, base, key] = await waitUntil(() => LINK.exec(first.output().stdout) ?? undefined, {
      what: "the admin link line",
      describe: () => first.output().stdout,
    });
    expect(base).toBe(first.url);
    // A plain line, not a log record: no JSON line of the log holds the key.
    const logLines = first
      .output()
      .stdout.split("\n")
      .filter((candidate) => candidate.startsWith("{"));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((candidate) => candidate.includes(key as string))).toEqual([]);
    expect(
      first
        .output()
        .stdout.split("\n")
        .filter((candidate) => candidate.includes("admin link")),
    ).toEqual([line]);
    expect(storedHash(env.DATA_DIR as string)).toBe(hashSecret(key as string));
    await first.kill("SIGTERM");

    const second = await cleanup.spawnServer(env);
    await waitUntil(() => second.output().stdout.includes("listening"), { what: "the listening line" });
    await second.kill("SIGTERM");
    expect(second.output().stdout).not.toContain("admin link");

    const run = await promisify(execFile)("pnpm", ["--silent", "admin-link"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, NODE_ENV: "test" },
    });
    const fresh = LINK.exec(run.stdout);
    expect(fresh?.[1]).toBe(`http://127.0.0.1:${env.PORT}`);
    expect(fresh?.[2]).not.toBe(key);
    expect(storedHash(env.DATA_DIR as string)).toBe(hashSecret(fresh?.[2] as string));
  });
});
