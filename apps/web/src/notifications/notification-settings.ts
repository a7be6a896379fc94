/** The page's own notification choices, kept in the browser (the per-room level is the server's: `notify`). */
export interface NotificationSettings {
  /** Desktop notifications while the tab is in the background (they also need the browser's permission). */
  desktop: boolean;
  /** A short sound with each notification. */
  sound: boolean;
  /** Notifications say only "New message in #room", never the text or the author. */
  hideText: boolean;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = { desktop: true, sound: true, hideText: false };

/** The little of `Storage` the settings use, so a test can pass a map. */
export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = "chatroom.notifications";

/**
 * The settings, read once and written on every change; listeners (the menu) follow changes, and
 * so do other tabs, through the `storage` event the page wires to `reload`.
 */
export class NotificationSettingsStore {
  private current: NotificationSettings;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: SettingsStorage | null) {
    this.current = this.read();
  }

  get = (): NotificationSettings => this.current;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(change: Partial<NotificationSettings>): void {
    this.current = { ...this.current, ...change };
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.current));
    } catch {
      // Storage full or refused (private mode): the choice holds for this page only.
    }
    this.publish();
  }

  /** Another tab changed them. */
  reload(): void {
    this.current = this.read();
    this.publish();
  }

  private read(): NotificationSettings {
    try {
      const saved: unknown = JSON.parse(this.storage?.getItem(KEY) ?? "null");
      if (saved === null || typeof saved !== "object") return DEFAULT_NOTIFICATION_SETTINGS;
      const pick = (key: keyof NotificationSettings) => {
        const value = (saved as Record<string, unknown>)[key];
        return typeof value === "boolean" ? value : DEFAULT_NOTIFICATION_SETTINGS[key];
      };
      return { desktop: pick("desktop"), sound: pick("sound"), hideText: pick("hideText") };
    } catch {
      return DEFAULT_NOTIFICATION_SETTINGS;
    }
  }

  private publish(): void {
    for (const listener of this.listeners) listener();
  }
}
