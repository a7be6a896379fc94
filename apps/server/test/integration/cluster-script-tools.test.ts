// `pnpm start:cluster` on a machine without PostgreSQL's programs or redis-server: it says what to
// install and stops before it builds or starts anything (the full run, chatting across its two
// nodes, is e2e/cluster-script.spec.ts, since it needs the production build).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { REPO_ROOT } from "../support/server-process";

// The script's own TMPDIR: in the shared /tmp, a `pnpm start:cluster` or cluster e2e run by anyone
// else on the machine meanwhile would add a chatroom-cluster-* dir and fail the check below.
const scriptTmp = mkdtempSync(join(tmpdir(), "chatroom-cluster-tools-"));
afterEach(() => rmSync(scriptTmp, { recursive: true, force: true }));
const clusterTempDirs = () => readdirSync(scriptTmp).filter((name) => name.startsWith("chatroom-cluster-"));

it("says what to install when initdb, pg_ctl or redis-server cannot be run, and starts nothing", () => {
  const before = new Set(clusterTempDirs());
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/cluster.mjs")], {
    env: { ...process.env, TMPDIR: scriptTmp, PG_BIN: "/nonexistent/postgresql/bin", REDIS_SERVER: "/nonexistent/redis-server" },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/\/nonexistent\/postgresql\/bin\/initdb could not be run .*apt-get install postgresql.*PG_BIN/);
  expect(result.stderr).toMatch(/\/nonexistent\/redis-server could not be run .*apt-get install redis-server.*REDIS_SERVER/);
  // Neither a build nor a temp dir: the check comes first.
  expect(result.stdout).not.toContain("pnpm build");
  expect(clusterTempDirs().filter((name) => !before.has(name))).toEqual([]);
});
