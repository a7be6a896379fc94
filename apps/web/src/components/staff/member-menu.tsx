import type { ChatClient, RoomAccess } from "@chatroom/client";
import { normalizeName, type User } from "@chatroom/protocol";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useStaffDialogStrings } from "../../i18n/use-staff-dialog-strings";
import { useStrings } from "../../i18n/use-strings";
import { type MemberAction, memberActions, requestFor } from "./member-actions";
import { Modal } from "./modal";

/**
 * A member's menu for staff: mutes, kick, ban (asks once more, with the address option), roles by
 * rank, rename. A menu button with a role=menu list; arrow keys move between items, Escape closes.
 */
export function MemberMenu({ client, access, me, user }: { client: ChatClient; access: RoomAccess; me: User | null; user: User }) {
  const t = useStrings();
  const d = useStaffDialogStrings();
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<"ban" | "rename" | null>(null);
  const menu = useRef<HTMLUListElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const actions = memberActions(access, me, user);

  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>("button")?.focus();
  }, [open]);

  if (actions.length === 0) return null;

  const label = (action: MemberAction): string => {
    switch (action.kind) {
      case "mute":
        return action.durationMs === null ? d.muteForGood : d.mute(t.staff.duration(action.durationMs));
      case "unmute":
        return d.unmute;
      case "kick":
        return d.kick;
      case "ban":
        return `${d.ban}…`;
      case "role":
        return d.makeRole(t.staff.role(action.role));
      case "rename":
        return `${d.renameUser}…`;
    }
  };

  const choose = (action: MemberAction) => {
    setOpen(false);
    if (action.kind === "ban" || action.kind === "rename") setDialog(action.kind);
    else client.moderate(requestFor(action, user.id));
    if (action.kind !== "ban" && action.kind !== "rename") button.current?.focus();
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>("button") ?? [])];
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === "Escape") {
      setOpen(false);
      button.current?.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (index + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    }
  };

  return (
    <span className="member-menu">
      <button
        ref={button}
        type="button"
        className="action-button"
        aria-label={d.memberMenu(user.name)}
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="member-menu"
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: a menu of buttons, keyboard handled above
        <ul ref={menu} role="menu" className="menu" aria-label={d.memberMenu(user.name)} onKeyDown={onKeyDown}>
          {actions.map((action) => (
            <li key={`${action.kind}-${"durationMs" in action ? action.durationMs : "role" in action ? action.role : ""}`} role="none">
              <button type="button" role="menuitem" data-action={action.kind} onClick={() => choose(action)}>
                {label(action)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {dialog === "ban" && <BanDialog client={client} user={user} onClose={() => setDialog(null)} />}
      {dialog === "rename" && <RenameDialog client={client} user={user} onClose={() => setDialog(null)} />}
    </span>
  );
}

const BAN_CHOICES: readonly (number | null)[] = [60 * 60_000, 24 * 60 * 60_000, 7 * 24 * 60 * 60_000, null];

function BanDialog({ client, user, onClose }: { client: ChatClient; user: User; onClose: () => void }) {
  const t = useStrings();
  const d = useStaffDialogStrings();
  const [duration, setDuration] = useState<string>("");
  const [address, setAddress] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const durationMs = duration === "" ? undefined : Number(duration);
    client.moderate({ action: "ban", user: user.id, ...(durationMs ? { durationMs } : {}), ...(address ? { address: true } : {}) });
    onClose();
  };
  return (
    <Modal title={d.banConfirm(user.name)} onClose={onClose} testId="ban-dialog">
      <form onSubmit={submit}>
        <label htmlFor="ban-duration">{d.inviteExpiry}</label>
        <select id="ban-duration" value={duration} onChange={(event) => setDuration(event.target.value)}>
          {BAN_CHOICES.map((ms) => (
            <option key={ms ?? "good"} value={ms ?? ""}>
              {ms === null ? d.forGood : t.staff.duration(ms)}
            </option>
          ))}
        </select>
        <label className="checkbox">
          <input type="checkbox" checked={address} onChange={(event) => setAddress(event.target.checked)} /> {d.banAddress}
        </label>
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="submit" className="danger" data-testid="confirm-ban">
            {d.ban}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function RenameDialog({ client, user, onClose }: { client: ChatClient; user: User; onClose: () => void }) {
  const t = useStrings();
  const d = useStaffDialogStrings();
  const [value, setValue] = useState(user.name);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = normalizeName(value);
    if (!checked.ok) {
      setError(t.nameProblem(checked.problem));
      return;
    }
    client.moderate({ action: "rename", user: user.id, name: checked.name });
    onClose();
  };
  return (
    <Modal title={d.renameTitle(user.name)} onClose={onClose}>
      <form onSubmit={submit}>
        <label htmlFor="rename-user-input">{t.nameLabel}</label>
        <input
          id="rename-user-input"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "rename-user-error" : undefined}
          onChange={(event) => {
            setValue(event.target.value);
            setError(null);
          }}
        />
        {error && (
          <p id="rename-user-error" className="field-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="submit">{t.rename}</button>
        </div>
      </form>
    </Modal>
  );
}
