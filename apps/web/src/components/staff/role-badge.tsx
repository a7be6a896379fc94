import type { Role } from "@chatroom/protocol";
import { useStrings } from "../../i18n/use-strings";

/** A staff member's role next to their name, wherever the name appears. */
export function RoleBadge({ role }: { role: Exclude<Role, "member"> | null }) {
  const t = useStrings();
  if (!role) return null;
  return (
    <span className={`role-badge role-${role}`} data-testid="role-badge" data-role={role} title={t.staff.role(role)}>
      {t.staff.roleBadge(role)}
    </span>
  );
}
