import type { RoomNews } from "@chatroom/client";
import type { NotifyLevel } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { NOTIFICATIONS_EN } from "../src/i18n/notifications-en";
import { DesktopNotifier, type NotificationApi, type NotificationPermissionState } from "../src/notifications/desktop-notifier";
import {
  DEFAULT_NOTIFICATION_SETTINGS,
  type NotificationSettings,
  NotificationSettingsStore,
} from "../src/notifications/notification-settings";

const alice = { id: "u-alice", name: "alice" };
const bob = { id: "u-bob", name: "bob" };

/** A Notification API that records what it shows and can click it; nothing of a browser. */
function recorder(permission: NotificationPermissionState = "granted") {
  const shown: { title: string; body: string | undefined; tag: string; click: () => void }[] = [];
  const api: NotificationApi = {
    permission: () => permission,
    request: async () => permission,
    show: (title, options, onClick) => {
      if (permission !== "granted") throw new Error("a browser throws here");
      shown.push({ title, body: options.body, tag: options.tag, click: onClick });
    },
  };
  return { api, shown };
}

function harness(options: { permission?: NotificationPermissionState; visible?: boolean; settings?: Partial<NotificationSettings> } = {}) {
  const { api, shown } = recorder(options.permission);
  const opened: string[] = [];
  let sounds = 0;
  const settings = { ...DEFAULT_NOTIFICATION_SETTINGS, ...options.settings };
  const notifier = new DesktopNotifier({
    api,
    pageVisible: () => options.visible ?? false,
    sound: { play: () => sounds++ },
    settings: () => settings,
    strings: () => NOTIFICATIONS_EN,
    open: (room, seq) => opened.push(`${room}/${seq}`),
    textMax: 10,
  });
  return { notifier, shown, opened, sounds: () => sounds };
}

const news = (change: Partial<RoomNews> = {}): RoomNews => ({
  kind: "chat",
  room: "dev",
  seq: 7,
  from: bob,
  text: "hello there, how are you",
  mentionsMe: false,
  mentionedBefore: false,
  level: "all",
  meId: alice.id,
  ...change,
});

describe("DesktopNotifier: level x own x muted x edit-adds x hidden", () => {
  const levels: NotifyLevel[] = ["all", "mentions", "none"];
  const table: [string, Partial<RoomNews>, Record<NotifyLevel, boolean>][] = [
    ["a chat from another", {}, { all: true, mentions: false, none: false }],
    ["a chat mentioning me", { mentionsMe: true }, { all: true, mentions: true, none: false }],
    ["my own chat mentioning me", { from: alice, mentionsMe: true }, { all: false, mentions: false, none: false }],
    ["an edit adding a mention", { kind: "edit", mentionsMe: true }, { all: true, mentions: true, none: false }],
    ["an edit keeping a mention", { kind: "edit", mentionsMe: true, mentionedBefore: true }, { all: false, mentions: false, none: false }],
    ["an edit without a mention", { kind: "edit" }, { all: false, mentions: false, none: false }],
  ];
  for (const [what, change, expected] of table) {
    for (const level of levels) {
      it(`${what} at ${level}: ${expected[level] ? "notifies" : "silent"} while hidden, silent while visible`, () => {
        const hidden = harness();
        expect(hidden.notifier.receive(news({ ...change, level }))).toBe(expected[level]);
        expect(hidden.shown.length).toBe(expected[level] ? 1 : 0);
        expect(hidden.sounds()).toBe(expected[level] ? 1 : 0);
        const visible = harness({ visible: true });
        expect(visible.notifier.receive(news({ ...change, level }))).toBe(false);
        expect(visible.shown).toEqual([]);
        expect(visible.sounds()).toBe(0);
      });
    }
  }

  it("says who and where, cuts the text, tags the message, and a click opens it", () => {
    const h = harness();
    h.notifier.receive(news({ mentionsMe: true }));
    expect(h.shown).toMatchObject([{ title: "bob mentioned you in #dev", body: "hello ther…", tag: "dev/7" }]);
    h.shown[0]?.click();
    expect(h.opened).toEqual(["dev/7"]);
  });

  it("hides the text when asked, and plays no sound when turned off", () => {
    const h = harness({ settings: { hideText: true, sound: false } });
    h.notifier.receive(news());
    expect(h.shown).toEqual([expect.objectContaining({ title: "New message in #dev", body: undefined })]);
    expect(h.sounds()).toBe(0);
  });

  it("denied, unsupported or turned off: no notification and nothing thrown (the sound still may play)", () => {
    for (const permission of ["denied", "default", "unsupported"] as const) {
      const h = harness({ permission });
      expect(() => h.notifier.receive(news())).not.toThrow();
      expect(h.shown).toEqual([]);
      expect(h.sounds()).toBe(1);
    }
    const off = harness({ settings: { desktop: false, sound: false } });
    expect(off.notifier.receive(news())).toBe(false);
    expect(off.shown).toEqual([]);
  });
});

describe("NotificationSettingsStore", () => {
  it("keeps the settings in storage, ignores garbage, and survives a refusing storage", () => {
    const map = new Map<string, string>();
    const storage = { getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
    const store = new NotificationSettingsStore(storage);
    expect(store.get()).toEqual(DEFAULT_NOTIFICATION_SETTINGS);
    store.set({ sound: false });
    expect(new NotificationSettingsStore(storage).get()).toEqual({ desktop: true, sound: false, hideText: false });
    map.set("chatroom.notifications", '{"sound":"loud","hideText":true}');
    expect(new NotificationSettingsStore(storage).get()).toEqual({ desktop: true, sound: true, hideText: true });
    const refusing = new NotificationSettingsStore({
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    });
    refusing.set({ hideText: true });
    expect(refusing.get().hideText).toBe(true);
  });
});
