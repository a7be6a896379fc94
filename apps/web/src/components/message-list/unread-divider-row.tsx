import { memo } from "react";
import { useStrings } from "../../i18n/use-strings";

/** The "new messages" line: where the reader's read marker stood when they opened the room. */
export const UnreadDividerRow = memo(function UnreadDividerRow() {
  const t = useStrings();
  return (
    <li className="unread-divider" data-testid="unread-divider">
      <span>{t.newMessagesDivider}</span>
    </li>
  );
});
