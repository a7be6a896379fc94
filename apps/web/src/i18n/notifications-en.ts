import type { NotifyLevel } from "@chatroom/protocol";

/** Strings of the mention list, the notifications menu and the desktop notifications (lazy chunks only). */
export const NOTIFICATIONS_EN = {
  mentionSuggestions: "People to mention",
  mentionHere: "here",
  mentionEveryone: "everyone in the room",
  menuTitle: (room: string) => `Notifications for #${room}`,
  levelLegend: "Notify me about",
  level: (level: NotifyLevel) => ({ all: "All messages", mentions: "Mentions of me", none: "Nothing" })[level],
  levelOffline: "Not connected: the level can be changed once the room is joined.",
  desktopLegend: "Desktop notifications (while this tab is in the background)",
  desktopEnable: "Turn on desktop notifications",
  desktopOn: "Desktop notifications are on.",
  desktopOff: "Desktop notifications are off.",
  desktopTurnOff: "Turn off",
  desktopBlocked: "Blocked by the browser. Allow notifications for this site in the browser's settings to turn them on.",
  desktopUnsupported: "This browser cannot show desktop notifications.",
  sound: "Play a sound",
  hideText: "Hide message text (show only “New message in #room”)",
  close: "Close",
  titleMessage: (name: string, room: string) => `${name} in #${room}`,
  titleMention: (name: string, room: string) => `${name} mentioned you in #${room}`,
  titleHidden: (room: string) => `New message in #${room}`,
};

export type NotificationStrings = typeof NOTIFICATIONS_EN;
