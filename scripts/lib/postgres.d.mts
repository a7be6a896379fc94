/** See postgres.mjs. Typed here so the TypeScript tests can use the one implementation. */
export const POSTGRES_SUPERUSER: string;

export function postgresBin(tool: string): string;

/** The uid/gid to run PostgreSQL as when the caller is root; throws when there is no such user. */
export function postgresRunAs(): { uid: number; gid: number; name: string } | undefined;

/** Why PostgreSQL cannot be started here (with what to install), or undefined when it can. */
export function postgresUnavailable(): string | undefined;

export interface TempPostgres {
  /** The temp dir: data dir, socket and log. */
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly port: number;
  /** The postmaster's pid once started; -1 before and after a clean stop. */
  readonly pid: number;
  /** A loopback URL for `database` as the trusted superuser: no password in it. */
  url(database: string): string;
  /** One SQL command through psql (default database: `postgres`); its unaligned output, trimmed. */
  psql(sql: string, database?: string): Promise<string>;
  /** The end of the server's log, for error messages. */
  logTail(): string;
  start(): Promise<void>;
  createDatabase(database: string): Promise<string>;
  /** `pg_ctl stop -w`; false if pg_ctl failed. */
  stop(mode?: "smart" | "fast" | "immediate"): Promise<boolean>;
  /** Removes the lock files a killed server left (only once all its processes are gone). */
  removeStaleLocks(): void;
  /** SIGKILL to the postmaster, synchronously (exit hooks). */
  killNow(): void;
  /** Deletes the temp dir. */
  remove(): void;
}

export function initTempPostgres(options: { port: number; prefix?: string; maxConnections?: number }): Promise<TempPostgres>;
