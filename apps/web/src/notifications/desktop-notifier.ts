import { notificationDue, type RoomNews } from "@chatroom/client";
import type { NotificationStrings } from "../i18n/notifications-en";
import type { NotificationSettings } from "./notification-settings";

/** The browser's permission, or that there is no Notification API at all. */
export type NotificationPermissionState = NotificationPermission | "unsupported";

/** The Notification API as the notifier uses it (the browser's in browser-ports.ts; a recorder in tests). */
export interface NotificationApi {
  permission(): NotificationPermissionState;
  /** Asks the browser: call only from a user's action. */
  request(): Promise<NotificationPermissionState>;
  /** Shows one; `onClick` runs when the user clicks it. */
  show(title: string, options: { body?: string; tag: string }, onClick: () => void): void;
}

export interface DesktopNotifierPorts {
  api: NotificationApi;
  /** Whether the page is on screen (`document.visibilityState`). */
  pageVisible: () => boolean;
  sound: { play(): void };
  settings: () => NotificationSettings;
  strings: () => NotificationStrings;
  /** Focuses the tab and opens the room at that message. */
  open: (room: string, seq: number) => void;
  /** A message's body is cut to this many characters. */
  textMax: number;
}

/**
 * Desktop notifications for what happens in the user's rooms while the page is hidden: the
 * chats the room's level asks for (`notificationDue`: all, mentions or none; never your own; an
 * edit only for a mention it adds), shown through the Notification API if the user turned them
 * on and the browser allows it, with a short sound unless turned off, and without the text if the
 * user asked. One notification per message (its tag), so the user's other tabs do not repeat it.
 * Nothing here throws: a refused or missing API only means no notification.
 */
export class DesktopNotifier {
  constructor(private readonly ports: DesktopNotifierPorts) {}

  /** Returns whether it notified (a notification, a sound or both). */
  receive(news: RoomNews): boolean {
    const { ports } = this;
    if (!notificationDue(news) || ports.pageVisible()) return false;
    const settings = ports.settings();
    const shown = settings.desktop && ports.api.permission() === "granted" && this.show(news, settings);
    if (settings.sound) ports.sound.play();
    return shown || settings.sound;
  }

  private show(news: RoomNews, settings: NotificationSettings): boolean {
    const { ports } = this;
    const s = ports.strings();
    const title = settings.hideText
      ? s.titleHidden(news.room)
      : news.mentionsMe
        ? s.titleMention(news.from.name, news.room)
        : s.titleMessage(news.from.name, news.room);
    const text = news.text ?? "";
    const body = settings.hideText ? undefined : text.length > ports.textMax ? `${text.slice(0, ports.textMax)}…` : text;
    try {
      ports.api.show(title, { ...(body !== undefined ? { body } : {}), tag: `${news.room}/${news.seq}` }, () =>
        ports.open(news.room, news.seq),
      );
      return true;
    } catch {
      return false;
    }
  }
}
