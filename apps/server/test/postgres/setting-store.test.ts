import { beforeEach, describe, expect, it } from "vitest";
import { BackendClosedError } from "../../src/backend/backend-closed-error";
import { createPgPool } from "../../src/backend/postgres/pool";
import { PgSetting } from "../../src/backend/postgres/setting-store";
import { SETTING_NAMES, storedOrMade } from "../../src/backend/setting-store";
import { usePgNodes } from "../support/use-pg-nodes";

describe("PgSetting", () => {
  const nodes = usePgNodes("setting_test");
  const settingOn = (node: 0 | 1, name: (typeof SETTING_NAMES)[keyof typeof SETTING_NAMES] = SETTING_NAMES.adminKeyHash) =>
    new PgSetting({ pool: nodes.pools[node], name });

  beforeEach(() => nodes.truncate("settings"));

  it("reads nothing until set; set replaces; each name is its own row", async () => {
    const admin = settingOn(0);
    const secret = settingOn(0, SETTING_NAMES.addressSecret);
    expect(await admin.get()).toBeUndefined();
    await admin.set("first");
    await admin.set("second");
    expect(await admin.get()).toBe("second");
    expect(await secret.get()).toBeUndefined();
    await secret.set("s");
    expect([await admin.get(), await secret.get(), await settingOn(1).get()]).toEqual(["second", "s", "second"]);
    expect(await nodes.server.psql("SELECT key || '=' || value FROM settings ORDER BY key")).toBe(
      "address-secret=s\nadmin-key-hash=second",
    );
  });

  it("setIfAbsent stores only when nothing is stored", async () => {
    const admin = settingOn(0);
    expect(await admin.setIfAbsent("one")).toBe(true);
    expect(await admin.setIfAbsent("two")).toBe(false);
    expect(await admin.get()).toBe("one");
    await admin.set("three");
    expect(await admin.setIfAbsent("four")).toBe(false);
    expect(await admin.get()).toBe("three");
  });

  it("setIfAbsent raced from two nodes: exactly one wins, and both read the winner", async () => {
    for (let round = 0; round < 10; round++) {
      await nodes.truncate("settings");
      const racers = Array.from({ length: 8 }, (_, i) => ({ value: `r${round}-v${i}`, setting: settingOn(i % 2 === 0 ? 0 : 1) }));
      const won = await Promise.all(racers.map(({ setting, value }) => setting.setIfAbsent(value)));
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = racers[won.indexOf(true)]?.value;
      expect([await settingOn(0).get(), await settingOn(1).get()]).toEqual([winner, winner]);
    }
  });

  it("storedOrMade on two nodes at once agrees on one value", async () => {
    const [a, b] = await Promise.all([storedOrMade(settingOn(0), () => "made-by-a"), storedOrMade(settingOn(1), () => "made-by-b")]);
    expect(a).toBe(b);
    expect(["made-by-a", "made-by-b"]).toContain(a);
  });

  it("refuses every call once closed, with BackendClosedError", async () => {
    const closed = new PgSetting({ pool: nodes.pools[0], name: SETTING_NAMES.adminKeyHash, isOpen: () => false });
    await expect(closed.get()).rejects.toThrow(BackendClosedError);
    await expect(closed.set("x")).rejects.toThrow(BackendClosedError);
    await expect(closed.setIfAbsent("x")).rejects.toThrow(BackendClosedError);
    expect(await settingOn(0).get()).toBeUndefined();
  });

  it("by default counts as closed once its pool is being ended", async () => {
    const pool = createPgPool(nodes.server.url, { max: 1 });
    const setting = new PgSetting({ pool, name: SETTING_NAMES.adminKeyHash });
    await setting.set("before");
    await pool.end();
    await expect(setting.get()).rejects.toThrow(BackendClosedError);
    await expect(setting.setIfAbsent("after")).rejects.toThrow(BackendClosedError);
    expect(await settingOn(0).get()).toBe("before");
  });
});
