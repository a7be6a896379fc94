import { NOTIFICATIONS_EN, type NotificationStrings } from "./notifications-en";
import { NOTIFICATIONS_ZH_CN } from "./notifications-zh-cn";
import type { Locale } from "./strings";
import { useStrings } from "./use-strings";

export function notificationStrings(locale: Locale): NotificationStrings {
  return locale === "zh-CN" ? NOTIFICATIONS_ZH_CN : NOTIFICATIONS_EN;
}

/** The mention list's and notifications' strings in the page's language (imported by lazy chunks only). */
export function useNotificationStrings(): NotificationStrings {
  return notificationStrings(useStrings().locale);
}
