import type { RoomAccess } from "@chatroom/client";
import type { User } from "@chatroom/protocol";
import { useStrings } from "../i18n/use-strings";
import { badgeRole } from "./staff/staff-actions";

export function TypingIndicator({ typing: users, access }: { typing: User[]; access: RoomAccess }) {
  const t = useStrings();
  // A staff member's name carries their role here too ("alice (Owner)"), as text: the line is spoken.
  const typing = users.map((user) => {
    const role = badgeRole(access, user);
    return role ? { ...user, name: `${user.name} (${t.staff.roleBadge(role)})` } : user;
  });
  const [first, second] = typing;
  let text = "";
  if (typing.length > 2) text = t.typingMany;
  else if (first && second) text = t.typingTwo(first.name, second.name);
  else if (first) text = t.typingOne(first.name);
  return (
    <div className="typing" data-testid="typing-indicator" aria-live="polite">
      {text && (
        <>
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span>{text}</span>
        </>
      )}
    </div>
  );
}
