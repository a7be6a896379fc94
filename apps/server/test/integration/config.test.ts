import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, testConfig } from "../../src/config";
import { spawnServer } from "../support/server-process";
import { tempDir } from "../support/temp-dir";

/** The ConfigError a bad environment raises; fails the test when it raises none. */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config.limits.roomMentionMembersMax).toBe(50);
    expect(loadConfig({ ROOM_MENTION_MEMBERS_MAX: "3" }).limits.roomMentionMembersMax).toBe(3);
    expect(config).toMatchObject({ port: 8080, host: "127.0.0.1", history: "sqlite", dataDir: "./data", env: "development" });
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["HISTORY", "postgres"],
    ["LOG_LEVEL", "loud"],
    ["RATE_BURST", "0"],
    ["NODE_ENV", "staging"],
    ["EDIT_WINDOW_MS", "0"],
    ["EDIT_WINDOW_MS", "soon"],
    ["EDIT_WINDOW_MS", "1.5"],
    ["ROOM_MENTION_MEMBERS_MAX", "0"],
    ["ROOM_MENTION_MEMBERS_MAX", "many"],
  ])("%s=%s throws a ConfigError naming the variable", (key, value) => {
    const error = configErrorFor({ [key]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(`${key}=${JSON.stringify(value)}`);
    expect(error.message).toContain(key);
  });

  it.each([
    ["METRICS_TOKEN", "short-secret"],
    ["REDIS_URL", "http://:hunter2-password@localhost:6379"],
  ])("%s is named but its secret value is not echoed", (key, value) => {
    const { message } = configErrorFor({ [key]: value });
    expect(message).toContain(`${key}=(hidden)`);
    expect(message).not.toContain(value);
  });

  it.each([
    // An unencoded @ in the password: a driver would take the rest as the host and print it in a DNS error.
    ["DATABASE_URL", "postgres://chat:hunter2@secrethalf/x@127.0.0.1:1/chatroom", /percent-encode it as %40/, ["hunter2", "secrethalf"]],
    [
      "DATABASE_URL",
      "mysql://chat:hunter2@db.internal/chat",
      /the scheme must be postgres:\/\/ or postgresql:\/\/: expected postgres:\/\/user:password@host:5432\/database/,
      ["hunter2"],
    ],
    ["DATABASE_URL", "chat:hunter2@db.internal/chat", /not a URL: expected postgres:\/\//, ["hunter2"]],
    // A % that starts no escape: the Redis client failed with a bare "URI malformed".
    ["REDIS_URL", "redis://:Red%isPW@127.0.0.1:1", /holds a % that starts no escape: write % as %25/, ["Red%isPW", "isPW"]],
    ["REDIS_URL", "http://:hunter2@cache.internal:6379", /the scheme must be redis:\/\/ or rediss:\/\//, ["hunter2"]],
  ])("%s=%s is refused with what to write instead, and no part of the password", (key, value, what, secrets) => {
    const { problems, message } = configErrorFor({ DATABASE_URL: "postgres://chat@db.internal/chat", [key]: value });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${key}=\\(hidden\\): `))]);
    expect(message).toMatch(what);
    for (const secret of secrets) expect(message).not.toContain(secret);
  });

  it("takes an @ in the query and escaped reserved characters in the password", () => {
    const url = "postgres://chat:p%40ss%2Fw%25rd@db.internal:5432/chat?application_name=a@b";
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ DATABASE_URL: url, REDIS_URL: "rediss://:p%25w@cache.internal:6380" }).redisUrl).toBe(
      "rediss://:p%25w@cache.internal:6380",
    );
  });

  it("REDIS_URL without DATABASE_URL is refused, naming both and what to do, without echoing the URL", () => {
    const { problems, message } = configErrorFor({ REDIS_URL: "redis://:hunter2-password@localhost:6379" });
    expect(problems).toHaveLength(1);
    expect(message).toContain("REDIS_URL carries traffic between nodes and needs DATABASE_URL (PostgreSQL) to keep the rooms");
    expect(message).toMatch(/Set DATABASE_URL=postgres:\/\/… on every node, or unset REDIS_URL for one node on SQLite/);
    expect(message).not.toContain("hunter2");
    // With PostgreSQL keeping the rooms, Redis carries the traffic between the nodes; DATABASE_URL alone is one node.
    const both = loadConfig({ DATABASE_URL: "postgres://chat@db.internal/chat", REDIS_URL: "redis://cache.internal:6379" });
    expect(both).toMatchObject({ databaseUrl: "postgres://chat@db.internal/chat", redisUrl: "redis://cache.internal:6379" });
    expect(loadConfig({ DATABASE_URL: "postgres://chat@db.internal/chat" }).redisUrl).toBeUndefined();
  });

  it("reports every bad variable at once", () => {
    expect(() => loadConfig({ PORT: "abc", HISTORY: "nope" })).toThrow(/PORT[\s\S]*HISTORY|HISTORY[\s\S]*PORT/);
  });

  it("EDIT_WINDOW_MS: unset means no edit window; set, it is limits.editWindowMs", () => {
    expect(loadConfig({}).limits).not.toHaveProperty("editWindowMs");
    expect(loadConfig({ EDIT_WINDOW_MS: "" }).limits).not.toHaveProperty("editWindowMs");
    expect(loadConfig({ EDIT_WINDOW_MS: "900000" }).limits.editWindowMs).toBe(900_000);
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ PORT: "", HOST: "" })).toMatchObject({ port: 8080, host: "127.0.0.1" });
  });

  it("testConfig is in-memory, silent and on port 0, with overrides", () => {
    expect(testConfig()).toMatchObject({ history: "memory", logLevel: "silent", port: 0, env: "test" });
    expect(testConfig({ PRESENCE_GRACE_MS: "10" }).limits.presenceGraceMs).toBe(10);
  });
});

describe("the server process", () => {
  it("exits non-zero with a message naming the bad variable", async () => {
    const server = spawnServer({ PORT: "abc", HISTORY: "memory" });
    const status = await server.exited;
    expect(status.code).not.toBe(0);
    expect(status.code).not.toBeNull();
    const { stderr } = server.output();
    expect(stderr).toContain("Invalid configuration");
    expect(stderr).toContain('PORT="abc"');
  });

  it("exits non-zero before opening any store when REDIS_URL is set without DATABASE_URL", async () => {
    const server = spawnServer({ PORT: "0", REDIS_URL: "redis://127.0.0.1:1" });
    const status = await server.exited;
    expect(status.code).not.toBe(0);
    expect(status.code).not.toBeNull();
    const { stderr } = server.output();
    expect(stderr).toContain("Invalid configuration");
    expect(stderr).toContain("REDIS_URL is set without DATABASE_URL");
  });

  it("exits non-zero with a clear message when the database file is corrupt, and leaves it alone", async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, "chat.db");
      const garbage = Buffer.alloc(4096, 0x42);
      writeFileSync(file, garbage);
      const server = spawnServer({ PORT: "0", HISTORY: "sqlite", DATA_DIR: dir.path });
      const status = await server.exited;
      expect(status.code).not.toBe(0);
      expect(status.code).not.toBeNull();
      expect(server.output().stderr).toContain(`cannot open the message store ${file}`);
      expect(readFileSync(file).equals(garbage)).toBe(true);
    } finally {
      dir.remove();
    }
  });

  it("exits non-zero with a clear message when DATA_DIR cannot be used", async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, "not-a-dir");
      writeFileSync(file, "x");
      const server = spawnServer({ PORT: "0", HISTORY: "sqlite", DATA_DIR: join(file, "data") });
      const status = await server.exited;
      expect(status.code).not.toBe(0);
      expect(server.output().stderr).toMatch(/DATA_DIR .* is not a writable directory/);
    } finally {
      dir.remove();
    }
  });
});
