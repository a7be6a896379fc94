import { memo } from "react";
import { useStrings } from "../../i18n/use-strings";

/** The inside of the "new messages" line: where the reader's read marker stood when they opened the room. */
export const UnreadDividerRow = memo(function UnreadDividerRow() {
  const t = useStrings();
  return <span>{t.newMessagesDivider}</span>;
});
