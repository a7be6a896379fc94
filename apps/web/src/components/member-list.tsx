import { type ChatClient, isStaff, type RoomAccess } from "@chatroom/client";
import type { User } from "@chatroom/protocol";
import { lazy, Suspense } from "react";
import { useStrings } from "../i18n/use-strings";
import { Avatar } from "./avatar";
import { RoleBadge } from "./staff/role-badge";
import { badgeRole } from "./staff/staff-actions";

// Only staff get member menus: their code (and its dialogs) is a chunk of its own.
const MemberMenu = lazy(() => import("./staff/member-menu").then((module) => ({ default: module.MemberMenu })));

export function MemberList({
  members,
  count,
  me,
  access,
  client,
}: {
  members: User[];
  count: number;
  me: User | null;
  access: RoomAccess;
  client: ChatClient;
}) {
  const t = useStrings();
  // You first, then everyone else alphabetically.
  const sorted = [...members].sort((a, b) => Number(b.id === me?.id) - Number(a.id === me?.id) || a.name.localeCompare(b.name));
  return (
    <section className="members" aria-labelledby="members-heading">
      <h2 id="members-heading">{t.members(count)}</h2>
      <ul data-testid="member-list">
        {sorted.map((user) => (
          <li key={user.id} className={user.id === me?.id ? "member member-self" : "member"} data-member-id={user.id}>
            <Avatar name={user.name} small />
            <span className="member-name">{user.name}</span>
            <RoleBadge role={badgeRole(access, user)} />
            {user.id === me?.id && <span className="member-you">({t.you})</span>}
            {isStaff(access.role) && (
              <Suspense fallback={null}>
                <MemberMenu client={client} access={access} me={me} user={user} />
              </Suspense>
            )}
          </li>
        ))}
      </ul>
      {count > members.length && <p className="members-more">+{count - members.length}</p>}
    </section>
  );
}
