import type { ChatClient } from "@chatroom/client";
import type { Locale } from "../i18n/strings";
import { notificationStrings } from "../i18n/use-notification-strings";
import { navigateToMessage } from "../message-link";
import { UI_TUNABLES } from "../ui-tunables";
import { browserNotificationApi, webAudioChime } from "./browser-ports";
import { DesktopNotifier, type NotificationApi } from "./desktop-notifier";
import { NotificationSettingsStore } from "./notification-settings";

interface Runtime {
  settings: NotificationSettingsStore;
  api: NotificationApi;
}

let runtime: Runtime | null = null;

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The page's one settings store and Notification API (this module is a lazy chunk: the menu and the notifier share it). */
export function notificationsRuntime(): Runtime {
  if (!runtime) {
    const settings = new NotificationSettingsStore(localStorageOrNull());
    window.addEventListener("storage", (event) => {
      if (event.key === null || event.key.startsWith("chatroom.notifications")) settings.reload();
    });
    runtime = { settings, api: browserNotificationApi() };
  }
  return runtime;
}

/**
 * Starts notifying for `client`'s rooms (loaded after the first render, never asking for
 * permission by itself); returns the stop.
 */
export function startNotifications(client: ChatClient, locale: Locale): () => void {
  const { settings, api } = notificationsRuntime();
  const notifier = new DesktopNotifier({
    api,
    pageVisible: () => document.visibilityState === "visible",
    sound: webAudioChime(),
    settings: settings.get,
    strings: () => notificationStrings(locale),
    open: (room, seq) => navigateToMessage(room, seq),
    textMax: UI_TUNABLES.notificationTextMax,
  });
  return client.subscribeNews((news) => notifier.receive(news));
}
