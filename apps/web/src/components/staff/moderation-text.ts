import type { ModerationEvent } from "@chatroom/protocol";
import type { Strings } from "../../i18n/strings";

/** Slow mode's interval in words: seconds under two minutes, else the duration's own wording. */
function intervalText(ms: number, t: Strings): string {
  return ms < 120_000 ? t.staff.seconds(Math.round(ms / 1000)) : t.staff.duration(ms);
}

/** The short line a moderation event shows in the log ("bob was muted for 10 minutes by alice"). Pure. */
export function moderationText(event: ModerationEvent, t: Strings): string {
  const s = t.staff;
  const by = event.by.name;
  switch (event.action) {
    case "create":
      return s.created(by, event.private);
    case "mute":
      return s.muted(event.user.name, by, event.durationMs !== undefined ? s.duration(event.durationMs) : null);
    case "unmute":
      return s.unmuted(event.user.name, by);
    case "kick":
      return s.kicked(event.user.name, by);
    case "ban":
      return s.banned(event.user.name, by, event.durationMs !== undefined ? s.duration(event.durationMs) : null);
    case "unban":
      return s.unbanned(event.user.name, by);
    case "slow-mode":
      return s.slowMode(by, event.intervalMs > 0 ? intervalText(event.intervalMs, t) : null);
    case "lock":
      return s.locked(by, event.locked);
    case "role":
      // A role that came with a pass, an invite or a token: the user acted on themself.
      return event.via !== undefined || event.by.id === event.user.id
        ? s.roleGained(event.user.name, s.role(event.role))
        : s.roleChanged(event.user.name, s.role(event.role), by);
    case "rename":
      return s.renamedBy(event.previousName, event.name, by);
  }
}

export { intervalText };
