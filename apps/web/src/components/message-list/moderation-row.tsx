import type { ModerationEvent } from "@chatroom/protocol";
import { memo } from "react";
import { useStrings } from "../../i18n/use-strings";
import { moderationText } from "../staff/moderation-text";

/** The inside of a moderation line: who did what to whom, as the room's log stored it. */
export const ModerationRow = memo(function ModerationRow({ event }: { event: ModerationEvent }) {
  const t = useStrings();
  return <span>{moderationText(event, t)}</span>;
});
