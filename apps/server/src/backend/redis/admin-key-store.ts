import type { Redis } from "ioredis";
import type { AdminKeyStore } from "../../security/admin-key";
import type { RedisKeys } from "./keys";

/** The admin key's hash at `<prefix>:settings:admin-key-hash`, shared by every node; no expiry. */
export class RedisAdminKeyStore implements AdminKeyStore {
  private readonly key: string;

  constructor(
    private readonly client: Redis,
    keys: RedisKeys,
  ) {
    this.key = keys.key("settings", "admin-key-hash");
  }

  async get(): Promise<string | undefined> {
    return (await this.client.get(this.key)) ?? undefined;
  }

  async set(hash: string): Promise<void> {
    await this.client.set(this.key, hash);
  }

  async setIfAbsent(hash: string): Promise<boolean> {
    return (await this.client.set(this.key, hash, "NX")) === "OK";
  }
}
