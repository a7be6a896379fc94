import type { ModerationEvent } from "@chatroom/protocol";
import { MODERATION_LINES_EN } from "../../i18n/moderation-lines-en";
import { MODERATION_LINES_ZH_CN } from "../../i18n/moderation-lines-zh-cn";
import { useStrings } from "../../i18n/use-strings";
import { moderationText } from "./moderation-text";

/** A moderation line's words in the page's language: its own chunk, loaded with the first such line. */
export function ModerationLineText({ event }: { event: ModerationEvent }) {
  const t = useStrings();
  return <>{moderationText(event, t, t.locale === "zh-CN" ? MODERATION_LINES_ZH_CN : MODERATION_LINES_EN)}</>;
}
