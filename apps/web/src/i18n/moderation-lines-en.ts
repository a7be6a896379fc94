/**
 * The moderation lines of the log in English ("bob was muted for 10 minutes by alice"). Only the
 * lazy chunk that formats them imports this module: most rooms never show one.
 */
export const MODERATION_LINES_EN = {
  muted: (user: string, by: string, duration: string | null) =>
    duration ? `${user} was muted for ${duration} by ${by}` : `${user} was muted by ${by}`,
  unmuted: (user: string, by: string) => `${user} was unmuted by ${by}`,
  kicked: (user: string, by: string) => `${user} was removed from the room by ${by}`,
  banned: (user: string, by: string, duration: string | null) =>
    duration ? `${user} was banned for ${duration} by ${by}` : `${user} was banned by ${by}`,
  unbanned: (user: string, by: string) => `${user} was unbanned by ${by}`,
  slowMode: (by: string, interval: string | null) =>
    interval ? `${by} turned on slow mode: one message every ${interval}` : `${by} turned off slow mode`,
  locked: (by: string, locked: boolean) => (locked ? `${by} locked the room` : `${by} unlocked the room`),
  roleChanged: (user: string, role: string, by: string) => `${user} is now ${role} (by ${by})`,
  roleGained: (user: string, role: string) => `${user} joined as ${role}`,
  renamedBy: (previous: string, name: string, by: string) => `${by} renamed ${previous} to ${name}`,
  created: (by: string, isPrivate: boolean) => (isPrivate ? `${by} created this private room` : `${by} created this room`),
};

export type ModerationLineStrings = typeof MODERATION_LINES_EN;
