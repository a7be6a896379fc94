import { DEFAULT_LIMITS } from "@chatroom/protocol";
import { z } from "zod";
import { CHAT_TUNING_DEFAULTS, type ChatLimits } from "./chat/limits";
import { connectionUrl } from "./connection-url";
import { type AuthConfig, authConfigFrom, authEnvShape } from "./security/auth-config";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const positive = z.coerce.number().positive();
const flag = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

/** Every environment variable the server reads, with its default. The README's table mirrors it. */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HISTORY: z.enum(["sqlite", "memory"]).default("sqlite"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: connectionUrl({ schemes: ["postgres", "postgresql"], example: "postgres://user:password@host:5432/database" }).optional(),
  DATABASE_POOL_MAX: int(2, 1_000).default(10),
  CLUSTER_SEQ_CHECK_MS: int(100, 600_000).default(2_000),
  REDIS_URL: connectionUrl({ schemes: ["redis", "rediss"], example: "redis://:password@host:6379" }).optional(),
  REDIS_NODE_TTL_MS: int(1_000, 600_000).default(15_000),
  WEB_DIST: z.string().optional(),
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ? value
            .split(",")
            .map((origin) => origin.trim())
            .filter(Boolean)
        : [],
    ),
  TRUST_PROXY: flag.default(false),
  MAX_TEXT_LENGTH: int(1, 100_000).default(DEFAULT_LIMITS.maxTextLength),
  MAX_FRAME_BYTES: int(1024, 16 * 1024 * 1024).default(DEFAULT_LIMITS.maxFrameBytes),
  RATE_PER_SECOND: positive.default(DEFAULT_LIMITS.ratePerSecond),
  RATE_BURST: int(1, 100_000).default(DEFAULT_LIMITS.burst),
  MAX_NAME_LENGTH: int(8, 256).default(DEFAULT_LIMITS.maxNameLength),
  WELCOME_LATEST: int(0, 10_000).default(DEFAULT_LIMITS.welcomeLatest),
  WELCOME_SINCE_MAX: int(1, 100_000).default(DEFAULT_LIMITS.welcomeSinceMax),
  WELCOME_MEMBERS_MAX: int(1, 100_000).default(DEFAULT_LIMITS.welcomeMembersMax),
  MAX_ROOMS: int(1, 10_000).default(DEFAULT_LIMITS.maxRooms),
  /** Rooms with more members than this: only staff's `@room` mentions everyone. */
  ROOM_MENTION_MEMBERS_MAX: int(1, 10_000_000).default(DEFAULT_LIMITS.roomMentionMembersMax),
  PRESENCE_GRACE_MS: int(0, 600_000).default(5_000),
  /** Unset: chats may be edited any time. */
  EDIT_WINDOW_MS: int(1, 365 * 24 * 60 * 60 * 1000).optional(),
  PING_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  SLOW_CONSUMER_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  MAX_CONNECTIONS: int(1, 10_000_000).default(50_000),
  MAX_CONNECTIONS_PER_IP: int(1, 10_000_000).default(1_000),
  SHUTDOWN_GRACE_MS: int(0, 60_000).default(10_000),
  METRICS: flag.default(true),
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. Short tokens are guessable. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Key of the HMAC that address bans keep of an address; the nodes of a cluster share one. Unset: random per process. */
  ADDRESS_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Where people reach the server (the admin link is printed with it); http://HOST:PORT when unset. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** When set, `/api/admin/*` answers `Authorization: Bearer <token>`; absent, the admin API is off. */
  ADMIN_API_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  ...authEnvShape,
});

export type Env = z.infer<typeof envSchema>;

/** Never echoed in start-up errors: they end up in logs. A Redis URL can carry a password. */
const SECRET_KEYS = new Set(["METRICS_TOKEN", "DATABASE_URL", "REDIS_URL", "ADMIN_API_TOKEN", "JWT_SECRET", "ADDRESS_SECRET"]);

export interface AppConfig {
  env: Env["NODE_ENV"];
  port: number;
  host: string;
  logLevel: Env["LOG_LEVEL"];
  history: Env["HISTORY"];
  dataDir: string;
  /** PostgreSQL as the system of record ([6/6]); HISTORY and DATA_DIR do not apply then. */
  databaseUrl: string | undefined;
  /** Connections this node holds at most in its PostgreSQL pool. */
  databasePoolMax: number;
  /**
   * Several nodes: how often each node reads the latest seq of the rooms it serves, so an event
   * committed by a node that died before publishing it (or lost with Redis) is filled from the store.
   */
  clusterSeqCheckMs: number;
  /** Several nodes: Redis carries the traffic between them (fan-out, presence, typing); only with `databaseUrl`. */
  redisUrl: string | undefined;
  /** A node that has not heartbeated for this long is dead and its members leave (Redis only). */
  redisNodeTtlMs: number;
  webDist: string | undefined;
  allowedOrigins: string[];
  trustProxy: boolean;
  pingIntervalMs: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  shutdownGraceMs: number;
  /** Serve `GET /metrics` (Prometheus). */
  metrics: boolean;
  /** Bearer token `/metrics` requires; open to anyone when unset. */
  metricsToken: string | undefined;
  /** `ADDRESS_SECRET`: the HMAC key of address bans. */
  addressSecret: string | undefined;
  /** Where people reach the server, for printed links: PUBLIC_URL, else http://HOST:PORT. */
  publicUrl: string | undefined;
  /** Bearer token of `/api/admin/*`; the admin API is off when unset. */
  adminApiToken: string | undefined;
  /** Who a connection is: anonymous (the default) or a host app's JWT. */
  auth: AuthConfig;
  limits: ChatLimits;
}

/** Why REDIS_URL alone is refused, and what to do instead. */
export const REDIS_NEEDS_DATABASE =
  "REDIS_URL is set without DATABASE_URL: REDIS_URL carries traffic between nodes and needs DATABASE_URL (PostgreSQL) " +
  "to keep the rooms. Set DATABASE_URL=postgres://… on every node, or unset REDIS_URL for one node on SQLite.";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and validates the environment. A bad value throws a `ConfigError` naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings mean "unset" so `PORT= pnpm start` behaves like no PORT at all.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? "?");
        const shown = SECRET_KEYS.has(key) ? "(hidden)" : JSON.stringify(env[key] ?? "");
        return `${key}=${shown}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.REDIS_URL && !e.DATABASE_URL) {
    // Redis keeps nothing since [6/6]: nodes sharing only Redis would each keep their own rooms.
    throw new ConfigError([REDIS_NEEDS_DATABASE]);
  }
  const auth = authConfigFrom(e);
  if ("problems" in auth) {
    throw new ConfigError(auth.problems.map(({ variable, message }) => `${variable}: ${message}`));
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    history: e.HISTORY,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    clusterSeqCheckMs: e.CLUSTER_SEQ_CHECK_MS,
    redisUrl: e.REDIS_URL,
    redisNodeTtlMs: e.REDIS_NODE_TTL_MS,
    webDist: e.WEB_DIST,
    allowedOrigins: e.ALLOWED_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    pingIntervalMs: e.PING_INTERVAL_MS,
    maxConnections: e.MAX_CONNECTIONS,
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    metrics: e.METRICS,
    metricsToken: e.METRICS_TOKEN,
    addressSecret: e.ADDRESS_SECRET,
    publicUrl: e.PUBLIC_URL,
    adminApiToken: e.ADMIN_API_TOKEN,
    auth: auth.config,
    limits: {
      ...DEFAULT_LIMITS,
      ...CHAT_TUNING_DEFAULTS,
      maxTextLength: e.MAX_TEXT_LENGTH,
      maxFrameBytes: e.MAX_FRAME_BYTES,
      ratePerSecond: e.RATE_PER_SECOND,
      burst: e.RATE_BURST,
      maxNameLength: e.MAX_NAME_LENGTH,
      welcomeLatest: e.WELCOME_LATEST,
      welcomeSinceMax: e.WELCOME_SINCE_MAX,
      welcomeMembersMax: e.WELCOME_MEMBERS_MAX,
      maxRooms: e.MAX_ROOMS,
      roomMentionMembersMax: e.ROOM_MENTION_MEMBERS_MAX,
      presenceGraceMs: e.PRESENCE_GRACE_MS,
      ...(e.EDIT_WINDOW_MS === undefined ? {} : { editWindowMs: e.EDIT_WINDOW_MS }),
      slowConsumerBytes: e.SLOW_CONSUMER_BYTES,
    },
  };
}

/** A config for tests: in-memory history, quiet logs, any port. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: "test", PORT: "0", HISTORY: "memory", LOG_LEVEL: "silent", ...overrides });
}
