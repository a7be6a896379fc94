import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port";
import { alive, processTree } from "./process-tree";
import { tempDir } from "./temp-dir";
import { waitUntil } from "./wait-until";

const execFileAsync = promisify(execFile);

export interface PostgresProcess {
  port: number;
  /** The unix socket directory, inside the temp dir. */
  socketDir: string;
  /** The database made for the caller. */
  database: string;
  /** `postgres://chatroom@127.0.0.1:<port>/<database>` (trust auth on loopback only). */
  url: string;
  /** The postmaster's pid, for reading its CPU and memory from /proc. */
  readonly pid: number;
  /** Kills the postmaster and its backends with SIGKILL, as a crash would; the data dir stays. */
  crash(): Promise<void>;
  /** Starts the server again on the same port and data dir (after `crash`): WAL recovery runs. */
  restart(): Promise<void>;
  /** Stops the server and removes its temp dir. */
  stop(): Promise<void>;
  /** One SQL command through `psql`, to look at the state from outside the driver under test. */
  psql(sql: string): Promise<string>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The superuser initdb makes; loopback and the socket trust it, nothing else can connect. */
const SUPERUSER = "chatroom";

/**
 * The directory holding `initdb`, `pg_ctl`, `postgres` and `psql`: `PG_BIN`, else Debian's
 * newest `/usr/lib/postgresql/<major>/bin`, else whatever PATH finds (empty string).
 */
function binDir(): string {
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

const bin = (tool: string) => {
  const dir = binDir();
  return dir ? join(dir, tool) : tool;
};

/**
 * PostgreSQL refuses to run as root. Tests run as root in CI containers, so there the server runs
 * as `PG_RUN_AS` (default `postgres`, the user Debian's package makes); otherwise as the caller.
 */
function runAs(): { uid: number; gid: number; name: string } | undefined {
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

/** Why PostgreSQL cannot be started here, or undefined when it can. */
export function postgresUnavailable(): string | undefined {
  for (const tool of ["initdb", "pg_ctl", "postgres", "psql"]) {
    const probe = spawnSync(bin(tool), ["--version"], { encoding: "utf8", timeout: 5_000 });
    if (probe.error || probe.status !== 0) {
      return `${bin(tool)} could not be run (${probe.error?.message ?? `exit ${probe.status}`}); install Debian's postgresql package (apt-get install postgresql) or set PG_BIN to the directory holding initdb, pg_ctl, postgres and psql`;
    }
  }
  try {
    runAs();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/**
 * A real PostgreSQL on a free loopback port: `initdb` into a temp dir, `pg_ctl start` with the
 * socket in that dir, ready once `pg_ctl` reports the postmaster ready and a query answers, then
 * one database made for the caller. `fsync`, `synchronous_commit` and `full_page_writes` are on
 * (PostgreSQL's defaults, spelled out): the durability tests kill it and count on every commit.
 * It never outlives the process that started it, even one that leaves through `process.exit`.
 */
export async function startPostgres(options: { database?: string } = {}): Promise<PostgresProcess> {
  const database = options.database ?? "chatroom";
  const user = runAs();
  const port = await freePort();
  const dir = tempDir("chatroom-pg-");
  const dataDir = join(dir.path, "data");
  const logFile = join(dir.path, "server.log");
  // The server's user must own the dir it writes its data, socket and log into.
  if (user) chownSync(dir.path, user.uid, user.gid);
  // cwd: the temp dir, which the server's user can enter (the caller's cwd may not be).
  const asServer = { cwd: dir.path, env: { ...process.env, LC_ALL: "C.UTF-8" }, ...(user ? { uid: user.uid, gid: user.gid } : {}) };
  const run = (tool: string, args: string[]) => execFileAsync(bin(tool), args, { ...asServer, encoding: "utf8" as const });
  const serverOptions = [
    `-c port=${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir.path}`,
    "-c fsync=on",
    "-c synchronous_commit=on",
    "-c full_page_writes=on",
    "-c max_connections=50",
  ].join(" ");

  const postmasterPid = (): number => {
    try {
      return Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
      return -1;
    }
  };
  let pid = -1;
  const killAtExit = () => {
    // Synchronous, for the exit hook: the postmaster's death ends its backends.
    if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL");
    dir.remove();
  };
  process.once("exit", killAtExit);

  const log = () => {
    try {
      return readFileSync(logFile, "utf8").slice(-4000);
    } catch {
      return "(no server log)";
    }
  };
  const psql = async (sql: string, db = database) => {
    const { stdout } = await run("psql", [
      "-h",
      dir.path,
      "-p",
      String(port),
      "-U",
      SUPERUSER,
      "-d",
      db,
      "-XAtq",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      sql,
    ]);
    return stdout.trim();
  };

  const launch = async () => {
    // -w: pg_ctl waits until postmaster.pid says the server accepts connections (a condition, not a sleep).
    try {
      await run("pg_ctl", ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", serverOptions]);
    } catch (error) {
      throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${log()}`);
    }
    pid = postmasterPid();
    await waitUntil(async () => (await psql("SELECT 1", "postgres")) === "1", {
      what: "PostgreSQL to answer a query",
      timeoutMs: 30_000,
      describe: log,
    });
  };

  const crash = async () => {
    const postmaster = pid;
    if (postmaster <= 0 || !alive(postmaster)) return;
    const backends = processTree(postmaster).map((child) => child.pid);
    process.kill(postmaster, "SIGKILL");
    for (const child of backends) if (alive(child)) process.kill(child, "SIGKILL");
    // A restart is refused while any old backend still holds the shared memory.
    await waitUntil(() => [postmaster, ...backends].every((p) => !alive(p)), { what: "the killed PostgreSQL processes to exit" });
    // pg_ctl detaches the postmaster, so its parent is PID 1, which in a container may never reap
    // it: a zombie still answers kill(pid, 0), and the next postmaster would take the stale lock
    // file for a live server. Every process of the old server is gone (checked above), so the
    // lock files are stale (the data dir's and the socket's); removing them is what a reboot does.
    rmSync(join(dataDir, "postmaster.pid"), { force: true });
    rmSync(join(dir.path, `.s.PGSQL.${port}.lock`), { force: true });
    rmSync(join(dir.path, `.s.PGSQL.${port}`), { force: true });
  };

  const stop = async () => {
    process.removeListener("exit", killAtExit);
    if (pid > 0 && alive(pid)) {
      try {
        await run("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w", "-t", "30"]);
      } catch {
        await crash();
      }
    }
    dir.remove();
  };

  try {
    await run("initdb", ["-D", dataDir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"]);
    await launch();
    await psql(`CREATE DATABASE ${quoteIdent(database)}`, "postgres");
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    socketDir: dir.path,
    database,
    url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    get pid() {
      return pid;
    },
    crash,
    restart: launch,
    stop,
    psql: (sql) => psql(sql),
    [Symbol.asyncDispose]: stop,
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
