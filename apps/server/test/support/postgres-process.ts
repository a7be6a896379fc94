import { initTempPostgres, postgresUnavailable } from "../../../../scripts/lib/postgres.mjs";
import { freePort } from "./free-port";
import { alive, processTree } from "./process-tree";
import { waitUntil } from "./wait-until";

export { postgresUnavailable };

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

/**
 * A real PostgreSQL on a free loopback port (scripts/lib/postgres.mjs: `initdb` in a temp dir,
 * `pg_ctl start -w` with the socket in that dir, ready once a query answers; `fsync`,
 * `synchronous_commit` and `full_page_writes` on), then one database made for the caller.
 * It never outlives the process that started it, even one that leaves through `process.exit`.
 */
export async function startPostgres(options: { database?: string } = {}): Promise<PostgresProcess> {
  const database = options.database ?? "chatroom";
  const server = await initTempPostgres({ port: await freePort() });
  const killAtExit = () => {
    // Synchronous, for the exit hook: the postmaster's death ends its backends.
    if (server.pid > 0 && alive(server.pid)) server.killNow();
    server.remove();
  };
  process.once("exit", killAtExit);

  const crash = async () => {
    const postmaster = server.pid;
    if (postmaster <= 0 || !alive(postmaster)) return;
    const backends = processTree(postmaster).map((child) => child.pid);
    process.kill(postmaster, "SIGKILL");
    for (const child of backends) if (alive(child)) process.kill(child, "SIGKILL");
    // A restart is refused while any old backend still holds the shared memory.
    await waitUntil(() => [postmaster, ...backends].every((p) => !alive(p)), { what: "the killed PostgreSQL processes to exit" });
    // Every process of the old server is gone (checked above), so its lock files are stale, even
    // when a zombie postmaster that PID 1 never reaps still answers kill(pid, 0).
    server.removeStaleLocks();
  };

  const stop = async () => {
    process.removeListener("exit", killAtExit);
    if (server.pid > 0 && alive(server.pid) && !(await server.stop("immediate"))) await crash();
    server.remove();
  };

  try {
    await server.start();
    await server.createDatabase(database);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port: server.port,
    socketDir: server.dir,
    database,
    url: server.url(database),
    get pid() {
      return server.pid;
    },
    crash,
    restart: () => server.start(),
    stop,
    psql: (sql) => server.psql(sql, database),
    [Symbol.asyncDispose]: stop,
  };
}
