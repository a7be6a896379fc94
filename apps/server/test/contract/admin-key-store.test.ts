// One contract for the backend's settings (the admin key's hash, the address-ban HMAC key) in every backend: memory, SQLite (a real file, reopened)
// and PostgreSQL (a real server, two backends on one database, as two nodes share it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { type SettingStore, storedOrMade } from "../../src/backend/setting-store";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { ensureAdminKey, isAdminKey, rotateAdminKey } from "../../src/security/admin-key";
import { hashSecret, newSecret } from "../../src/security/secrets";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { tempDir } from "../support/temp-dir";

/** Which setting of a backend the harness hands out. */
type SettingOf = (backend: Backend) => SettingStore;
const adminKeyOf: SettingOf = (backend) => backend.adminKey;

interface Harness {
  /** A store; `reopen` gives one over the same data, as after a restart or on another node. */
  open(pick?: SettingOf): Promise<{ store: SettingStore; reopen(): Promise<SettingStore>; close(): Promise<void> }>;
}

let postgres: PostgresProcess;
beforeAll(async () => {
  postgres = await startPostgres({ database: "admin_key" });
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

const harnesses: Record<string, Harness> = {
  memory: {
    async open(pick = adminKeyOf) {
      const backend = new MemoryBackend({ nodeId: "m" });
      return { store: pick(backend), reopen: async () => pick(backend), close: () => backend.close() };
    },
  },
  sqlite: {
    async open(pick = adminKeyOf) {
      const dir = tempDir("admin-key-");
      const opened: SqliteBackend[] = [SqliteBackend.open({ nodeId: "s1", dataDir: dir.path })];
      return {
        store: pick(opened[0] as SqliteBackend),
        async reopen() {
          await (opened[0] as SqliteBackend).close();
          const again = SqliteBackend.open({ nodeId: "s2", dataDir: dir.path });
          opened.push(again);
          return pick(again);
        },
        async close() {
          for (const backend of opened) await backend.close();
          dir.remove();
        },
      };
    },
  },
  postgres: {
    async open(pick = adminKeyOf) {
      // One database for the file: each test starts from empty tables (none before the first open migrates).
      await emptyDatabase(postgres.url);
      const one = await PgBackend.open({ nodeId: "p1", url: postgres.url, poolMax: 2 });
      const two = await PgBackend.open({ nodeId: "p2", url: postgres.url, poolMax: 2 });
      return {
        store: pick(one),
        reopen: async () => pick(two),
        close: async () => void (await Promise.all([one.close(), two.close()])),
      };
    },
  },
};

describe.each(Object.keys(harnesses))("AdminKeyStore on %s", (kind) => {
  const harness = harnesses[kind] as Harness;

  it("starts empty, keeps a hash, replaces it, and only setIfAbsent an empty one", async () => {
    const { store, reopen, close } = await harness.open();
    try {
      expect(await store.get()).toBeUndefined();
      const first = hashSecret(newSecret());
      expect(await store.setIfAbsent(first)).toBe(true);
      expect(await store.setIfAbsent(hashSecret(newSecret()))).toBe(false);
      expect(await store.get()).toBe(first);
      const second = hashSecret(newSecret());
      await store.set(second);
      expect(await store.get()).toBe(second);
      // Kept across a restart (SQLite) or seen by the other node (PostgreSQL).
      expect(await (await reopen()).get()).toBe(second);
    } finally {
      await close();
    }
  });

  it("prints the admin link on first start only, and a rotation revokes the old key", async () => {
    const { store, reopen, close } = await harness.open();
    try {
      const printed: string[] = [];
      const options = { store, baseUrl: "https://chat.example/", print: (line: string) => printed.push(line) };
      expect(await ensureAdminKey(options)).toBe(true);
      expect(printed).toHaveLength(1);
      const [, firstKey] = /^admin link: https:\/\/chat\.example\/#admin=([A-Za-z0-9_-]{43})\n$/.exec(printed[0] ?? "") ?? [];
      expect(await isAdminKey(store, firstKey)).toBe(true);
      expect(await store.get()).toBe(hashSecret(firstKey as string));

      const later = await reopen();
      expect(await ensureAdminKey({ ...options, store: later })).toBe(false);
      expect(printed).toHaveLength(1);

      await rotateAdminKey({ ...options, store: later });
      const secondKey = /#admin=([A-Za-z0-9_-]{43})\n$/.exec(printed[1] ?? "")?.[1];
      expect(secondKey).toBeDefined();
      expect(secondKey).not.toBe(firstKey);
      expect(await isAdminKey(later, secondKey)).toBe(true);
      expect(await isAdminKey(later, firstKey)).toBe(false);
      for (const wrong of [undefined, "", 42, hashSecret(secondKey as string), newSecret()])
        expect(await isAdminKey(later, wrong)).toBe(false);
    } finally {
      await close();
    }
  });
});

describe.each(Object.keys(harnesses))("the address-ban secret on %s", (kind) => {
  const harness = harnesses[kind] as Harness;

  it("is made once and then read back: after a restart (SQLite) and on the other node (PostgreSQL), apart from the admin key", async () => {
    const { store, reopen, close } = await harness.open((backend) => backend.addressSecret);
    try {
      const made = await storedOrMade(store, newSecret);
      expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await storedOrMade(store, newSecret)).toBe(made);
      const later = await reopen();
      expect(await storedOrMade(later, newSecret)).toBe(made);
    } finally {
      await close();
    }
  });
});
