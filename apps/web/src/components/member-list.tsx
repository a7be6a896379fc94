import type { User } from "@chatroom/protocol";
import { useStrings } from "../i18n/use-strings";

export function MemberList({ members, count, me }: { members: User[]; count: number; me: User | null }) {
  const t = useStrings();
  const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section className="members" aria-labelledby="members-heading">
      <h2 id="members-heading">{t.members(count)}</h2>
      <ul data-testid="member-list">
        {sorted.map((user) => (
          <li key={user.id} className={user.id === me?.id ? "member me" : "member"}>
            <span className="avatar" aria-hidden="true">
              {[...user.name][0]?.toUpperCase()}
            </span>
            <span className="member-name">{user.name}</span>
            {user.id === me?.id && <span className="member-you">({t.you})</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
