import type { ModerationEvent } from "@chatroom/protocol";
import type { ModerationLineStrings } from "../../i18n/moderation-lines-en";
import type { Strings } from "../../i18n/strings";
import { intervalText } from "./interval-text";

/** The short line a moderation event shows in the log ("bob was muted for 10 minutes by alice"). Pure. */
export function moderationText(event: ModerationEvent, t: Strings, lines: ModerationLineStrings): string {
  const s = t.staff;
  const by = event.by.name;
  switch (event.action) {
    case "create":
      return lines.created(by, event.private);
    case "mute":
      return lines.muted(event.user.name, by, event.durationMs !== undefined ? s.duration(event.durationMs) : null);
    case "unmute":
      return lines.unmuted(event.user.name, by);
    case "kick":
      return lines.kicked(event.user.name, by);
    case "ban":
      return lines.banned(event.user.name, by, event.durationMs !== undefined ? s.duration(event.durationMs) : null);
    case "unban":
      return lines.unbanned(event.user.name, by);
    case "slow-mode":
      return lines.slowMode(by, event.intervalMs > 0 ? intervalText(event.intervalMs, t) : null);
    case "lock":
      return lines.locked(by, event.locked);
    case "role":
      // A role that came with a pass, an invite or a token: the user acted on themself.
      return event.via !== undefined || event.by.id === event.user.id
        ? lines.roleGained(event.user.name, s.role(event.role))
        : lines.roleChanged(event.user.name, s.role(event.role), by);
    case "rename":
      return lines.renamedBy(event.previousName, event.name, by);
  }
}
