// A throwaway PostgreSQL in a temp dir: `initdb`, `pg_ctl start` on a given loopback port with
// the socket in that dir, `psql`, `pg_ctl stop`. The one implementation for `pnpm start:cluster`
// and the tests (apps/server/test/support/postgres-process.ts adds crash and restart on top).
// Plain .mjs so the script runs it without TypeScript; postgres.d.mts types it for the tests.
import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The superuser initdb makes; loopback and the socket trust it, nothing else can connect. */
export const POSTGRES_SUPERUSER = "chatroom";

const INSTALL_HINT =
  "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) " +
  "or set PG_BIN to the directory holding initdb, pg_ctl, postgres and psql";

/**
 * The directory holding `initdb`, `pg_ctl`, `postgres` and `psql`: `PG_BIN`, else Debian's
 * newest `/usr/lib/postgresql/<major>/bin` (off PATH), else whatever PATH finds (empty string).
 */
function binDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return join(root, majors[0], "bin");
  }
  return "";
}

/** The path to run one of PostgreSQL's programs by. */
export function postgresBin(tool) {
  const dir = binDir();
  return dir ? join(dir, tool) : tool;
}

/**
 * PostgreSQL refuses to run as root. Tests and CI run as root in containers, so there the server
 * runs as `PG_RUN_AS` (default `postgres`, the user Debian's package makes); otherwise as the caller.
 */
export function postgresRunAs() {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.PG_RUN_AS ?? "postgres";
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `running as root, and PostgreSQL refuses to run as root: no user "${name}" to run it as. ` +
        "Install Debian's postgresql package (it makes the user), create one, or set PG_RUN_AS.",
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name };
}

/** Why PostgreSQL cannot be started here (with what to install), or undefined when it can. */
export function postgresUnavailable() {
  for (const tool of ["initdb", "pg_ctl", "postgres", "psql"]) {
    const probe = spawnSync(postgresBin(tool), ["--version"], { encoding: "utf8", timeout: 5_000 });
    if (probe.error || probe.status !== 0) {
      return `${postgresBin(tool)} could not be run (${probe.error?.message ?? `exit ${probe.status}`}): ${INSTALL_HINT}`;
    }
  }
  try {
    postgresRunAs();
  } catch (error) {
    return error.message;
  }
  return undefined;
}

/**
 * `initdb` into a fresh temp dir (`prefix`), for a server on `port`; nothing runs until `start()`.
 * `fsync`, `synchronous_commit` and `full_page_writes` are on (PostgreSQL's defaults, spelled out):
 * acks wait for commits, and the durability tests kill the server and count on every commit.
 * The temp dir is the caller's to remove (`remove()`), after `stop()`.
 */
export async function initTempPostgres({ port, prefix = "chatroom-pg-", maxConnections = 50 }) {
  const user = postgresRunAs();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  // The server's user must own the dir it writes its data, socket and log into.
  if (user) chownSync(dir, user.uid, user.gid);
  // cwd: the temp dir, which the server's user can enter (the caller's cwd may not be).
  const asServer = { cwd: dir, env: { ...process.env, LC_ALL: "C.UTF-8" }, ...(user ? { uid: user.uid, gid: user.gid } : {}) };
  const run = (tool, args) => execFileAsync(postgresBin(tool), args, { ...asServer, encoding: "utf8" });
  const serverOptions = [
    `-c port=${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=on",
    "-c synchronous_commit=on",
    "-c full_page_writes=on",
    `-c max_connections=${maxConnections}`,
  ].join(" ");

  const logTail = () => {
    try {
      return readFileSync(logFile, "utf8").slice(-4000);
    } catch {
      return "(no server log)";
    }
  };
  const postmasterPid = () => {
    try {
      return Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]) || -1;
    } catch {
      return -1;
    }
  };
  const psql = async (sql, database = "postgres") => {
    const { stdout } = await run("psql", [
      "-h",
      dir,
      "-p",
      String(port),
      "-U",
      POSTGRES_SUPERUSER,
      "-d",
      database,
      "-XAtq",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      sql,
    ]);
    return stdout.trim();
  };

  let pid = -1;
  const server = {
    dir,
    dataDir,
    logFile,
    port,
    /** The postmaster's pid once started (-1 before). */
    get pid() {
      return pid;
    },
    /** A URL for `database` as the trusted superuser on loopback: no password in it. */
    url: (database) => `postgres://${POSTGRES_SUPERUSER}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    psql,
    logTail,
    /** `pg_ctl start -w`, then ready once a query answers (pg_ctl's wait reads postmaster.pid). */
    async start() {
      try {
        await run("pg_ctl", ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", serverOptions]);
      } catch (error) {
        throw new Error(`pg_ctl start failed: ${error.message}\n${logTail()}`);
      }
      pid = postmasterPid();
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          if ((await psql("SELECT 1")) === "1") return;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`PostgreSQL did not answer a query within 30 s: ${error.message}\n${logTail()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** `CREATE DATABASE`, the name quoted as an identifier. */
    createDatabase: (database) => psql(`CREATE DATABASE "${database.replaceAll('"', '""')}"`),
    /**
     * `pg_ctl stop -w` (`fast`: roll back sessions, checkpoint; `immediate`: no checkpoint, WAL
     * recovery at the next start). Resolves once postmaster.pid is gone; false if pg_ctl failed.
     */
    async stop(mode = "fast") {
      if (pid <= 0) return true;
      try {
        await run("pg_ctl", ["stop", "-D", dataDir, "-m", mode, "-w", "-t", "30"]);
        pid = -1;
        return true;
      } catch {
        return false;
      }
    },
    /**
     * After every process of a killed server is gone: pg_ctl detaches the postmaster, so its parent
     * is PID 1, which in a container may never reap it. A zombie still answers kill(pid, 0), and the
     * next postmaster would take the stale lock files for a live server's. Removing them is what a
     * reboot does.
     */
    removeStaleLocks() {
      rmSync(join(dataDir, "postmaster.pid"), { force: true });
      rmSync(join(dir, `.s.PGSQL.${port}.lock`), { force: true });
      rmSync(join(dir, `.s.PGSQL.${port}`), { force: true });
    },
    /** Synchronous, for exit hooks: SIGKILL to the postmaster (its backends die with it). */
    killNow() {
      if (pid <= 0) return;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    },
    /** Deletes the temp dir and everything in it. */
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };

  try {
    await run("initdb", ["-D", dataDir, "-U", POSTGRES_SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"]);
  } catch (error) {
    server.remove();
    throw new Error(`initdb failed: ${error.message}`);
  }
  return server;
}
