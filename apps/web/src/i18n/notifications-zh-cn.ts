import type { NotificationStrings } from "./notifications-en";

export const NOTIFICATIONS_ZH_CN: NotificationStrings = {
  mentionSuggestions: "可提及的人",
  mentionHere: "在线",
  mentionEveryone: "聊天室里的所有人",
  menuTitle: (room) => `#${room} 的通知`,
  levelLegend: "通知我",
  level: (level) => ({ all: "所有消息", mentions: "提及我的消息", none: "不通知" })[level],
  levelOffline: "未连接：加入聊天室后才能更改。",
  desktopLegend: "桌面通知（当此标签页在后台时）",
  desktopEnable: "开启桌面通知",
  desktopOn: "桌面通知已开启。",
  desktopOff: "桌面通知已关闭。",
  desktopTurnOff: "关闭",
  desktopBlocked: "已被浏览器阻止。请在浏览器设置中允许此网站显示通知。",
  desktopUnsupported: "此浏览器无法显示桌面通知。",
  sound: "播放提示音",
  hideText: "隐藏消息内容（只显示“#聊天室 有新消息”）",
  close: "关闭",
  titleMessage: (name, room) => `${name}（#${room}）`,
  titleMention: (name, room) => `${name} 在 #${room} 提及了你`,
  titleHidden: (room) => `#${room} 有新消息`,
};
