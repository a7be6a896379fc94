import type { ModerationLineStrings } from "./moderation-lines-en";

/** The moderation lines in zh-CN (see moderation-lines-en.ts). */
export const MODERATION_LINES_ZH_CN: ModerationLineStrings = {
  muted: (user: string, by: string, duration: string | null) => (duration ? `${user} 被 ${by} 禁言 ${duration}` : `${user} 被 ${by} 禁言`),
  unmuted: (user: string, by: string) => `${user} 被 ${by} 解除禁言`,
  kicked: (user: string, by: string) => `${user} 被 ${by} 移出聊天室`,
  banned: (user: string, by: string, duration: string | null) => (duration ? `${user} 被 ${by} 封禁 ${duration}` : `${user} 被 ${by} 封禁`),
  unbanned: (user: string, by: string) => `${user} 被 ${by} 解除封禁`,
  slowMode: (by: string, interval: string | null) => (interval ? `${by} 开启了慢速模式：每 ${interval} 一条消息` : `${by} 关闭了慢速模式`),
  locked: (by: string, locked: boolean) => (locked ? `${by} 锁定了聊天室` : `${by} 解锁了聊天室`),
  roleChanged: (user: string, role: string, by: string) => `${user} 现在是${role}（由 ${by} 设置）`,
  roleGained: (user: string, role: string) => `${user} 以${role}身份加入`,
  renamedBy: (previous: string, name: string, by: string) => `${by} 将 ${previous} 改名为 ${name}`,
  created: (by: string, isPrivate: boolean) => (isPrivate ? `${by} 创建了这个私密聊天室` : `${by} 创建了这个聊天室`),
};
