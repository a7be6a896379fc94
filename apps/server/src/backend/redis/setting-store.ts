import type { Redis } from "ioredis";
import type { SettingName, SettingStore } from "../setting-store";
import type { RedisKeys } from "./keys";

/** One setting at `<prefix>:settings:<name>`, shared by every node; no expiry. */
export class RedisSetting implements SettingStore {
  private readonly key: string;

  constructor(
    private readonly client: Redis,
    keys: RedisKeys,
    name: SettingName,
  ) {
    this.key = keys.key("settings", name);
  }

  async get(): Promise<string | undefined> {
    return (await this.client.get(this.key)) ?? undefined;
  }

  async set(value: string): Promise<void> {
    await this.client.set(this.key, value);
  }

  async setIfAbsent(value: string): Promise<boolean> {
    return (await this.client.set(this.key, value, "NX")) === "OK";
  }
}
