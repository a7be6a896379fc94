import { type ChatClient, type ChatSnapshot, inviteLinkPath, isStaff, outranks, RequestError } from "@chatroom/client";
import { type FormEvent, useEffect, useState } from "react";
import { useStaffDialogStrings } from "../../i18n/use-staff-dialog-strings";
import { useStrings } from "../../i18n/use-strings";
import { CopyLink } from "./copy-link";
import { intervalText } from "./interval-text";
import { Modal } from "./modal";

const EXPIRY_CHOICES: readonly (number | null)[] = [60 * 60_000, 24 * 60 * 60_000, 7 * 24 * 60 * 60_000, null];
const SLOW_MODE_CHOICES: readonly number[] = [0, 10_000, 30_000, 60_000, 5 * 60_000];

/**
 * The room's staff panel: settings (lock, slow mode), invites (make one with role, expiry and use
 * limit, its link shown once; list; revoke), bans and mutes in force (unban, unmute), and open
 * reports (resolve, jump to the message). Loaded on first use.
 */
export function StaffPanel({
  client,
  chat,
  onClose,
  onJump,
}: {
  client: ChatClient;
  chat: ChatSnapshot;
  onClose: () => void;
  onJump: (seq: number) => void;
}) {
  const t = useStrings();
  const d = useStaffDialogStrings();
  const s = t.staff;
  const view = chat.staffView;
  const { access, room } = chat;
  const [role, setRole] = useState<"member" | "moderator">("member");
  const [expiry, setExpiry] = useState<string>(String(EXPIRY_CHOICES[1]));
  const [uses, setUses] = useState("");
  const [link, setLink] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const time = (ts: number) => new Date(ts).toLocaleString();

  useEffect(() => {
    client.openStaffView();
  }, [client]);

  const failed = (error: unknown) => setFailure(d.requestFailed(error instanceof RequestError ? error.code : "server_error"));

  const makeInvite = (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const maxUses = uses.trim() === "" ? undefined : Number.parseInt(uses, 10);
    client
      .invite({
        role,
        ...(expiry !== "" ? { expiresInMs: Number(expiry) } : {}),
        ...(maxUses !== undefined && maxUses > 0 ? { maxUses } : {}),
      })
      .then(({ code }) => setLink(`${window.location.origin}${inviteLinkPath(room, code)}`), failed);
  };

  if (!isStaff(access.role)) return null;
  return (
    <Modal title={`${s.staffPanel} · #${room}`} onClose={onClose} testId="staff-panel">
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
      <section aria-labelledby="staff-settings">
        <h3 id="staff-settings">{d.roomSettings}</h3>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={access.locked}
            data-testid="lock-room"
            onChange={(event) => client.moderate({ action: "lock", locked: event.target.checked })}
          />{" "}
          {d.lockRoom}
        </label>
        <label htmlFor="slow-mode">{d.slowModeLabel}</label>
        <select
          id="slow-mode"
          value={access.slowModeMs}
          onChange={(event) => client.moderate({ action: "slow-mode", intervalMs: Number(event.target.value) })}
        >
          {[...new Set([...SLOW_MODE_CHOICES, access.slowModeMs])].map((ms) => (
            <option key={ms} value={ms}>
              {ms === 0 ? d.off : intervalText(ms, t)}
            </option>
          ))}
        </select>
      </section>
      <section aria-labelledby="staff-invites">
        <h3 id="staff-invites">{d.invites}</h3>
        <form onSubmit={makeInvite} className="invite-form">
          <label htmlFor="invite-role">{d.inviteRole}</label>
          <select id="invite-role" value={role} onChange={(event) => setRole(event.target.value as "member" | "moderator")}>
            <option value="member">{s.role("member")}</option>
            {/* Moderator links are the owners' to give. */}
            {outranks(access.role, "moderator") && <option value="moderator">{s.role("moderator")}</option>}
          </select>
          <label htmlFor="invite-expiry">{d.inviteExpiry}</label>
          <select id="invite-expiry" value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            {EXPIRY_CHOICES.map((ms) => (
              <option key={ms ?? "never"} value={ms ?? ""}>
                {ms === null ? d.inviteNever : s.duration(ms)}
              </option>
            ))}
          </select>
          <label htmlFor="invite-uses">{d.inviteUses}</label>
          <input id="invite-uses" inputMode="numeric" value={uses} onChange={(event) => setUses(event.target.value.replace(/\D/g, ""))} />
          <button type="submit" data-testid="create-invite">
            {d.createInvite}
          </button>
        </form>
        {link && (
          <>
            <p className="hint">{d.inviteLinkOnce}</p>
            <CopyLink url={link} label={d.inviteLinkOnce} testId="invite-link" />
          </>
        )}
        <ul data-testid="invite-list">
          {(view?.invites ?? []).map((invite) => (
            <li key={invite.id} data-invite-id={invite.id}>
              {d.inviteSummary(s.role(invite.role), invite.uses, invite.maxUses, invite.expiresAt ? time(invite.expiresAt) : null)}
              {invite.revoked ? (
                <span> · {d.revoked}</span>
              ) : (
                <button type="button" className="small-button secondary" onClick={() => client.revokeInvite(invite.id).catch(failed)}>
                  {d.revoke}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="staff-bans">
        <h3 id="staff-bans">{d.bans}</h3>
        {view?.bans.length ? (
          <ul data-testid="ban-list">
            {view.bans.map((ban) => (
              <li key={ban.user.id}>
                {ban.user.name} ({ban.until ? d.until(time(ban.until)) : d.forGood})
                <button
                  type="button"
                  className="small-button secondary"
                  onClick={() => client.moderate({ action: "unban", user: ban.user.id })}
                >
                  {d.unban}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p>{d.noneYet}</p>
        )}
      </section>
      <section aria-labelledby="staff-mutes">
        <h3 id="staff-mutes">{d.mutes}</h3>
        {view?.mutes.length ? (
          <ul data-testid="mute-list">
            {view.mutes.map((mute) => (
              <li key={mute.user.id}>
                {mute.user.name} ({mute.until ? d.until(time(mute.until)) : d.forGood})
                <button
                  type="button"
                  className="small-button secondary"
                  onClick={() => client.moderate({ action: "unmute", user: mute.user.id })}
                >
                  {d.unmute}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p>{d.noneYet}</p>
        )}
      </section>
      <section aria-labelledby="staff-reports">
        <h3 id="staff-reports">{d.reports}</h3>
        {view?.reports.length ? (
          <ul data-testid="report-list">
            {view.reports.map((report) => (
              <li key={report.id} data-report-id={report.id}>
                {d.reportLine(report.by.name, report.reason)}
                {report.text !== undefined && <q className="report-text">{report.text}</q>}
                <button
                  type="button"
                  className="small-button secondary"
                  onClick={() => {
                    onJump(report.target);
                    onClose();
                  }}
                >
                  {d.showMessage}
                </button>
                <button type="button" className="small-button" onClick={() => client.resolveReport(report.id).catch(failed)}>
                  {d.resolve}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p>{d.noneYet}</p>
        )}
      </section>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {d.closePanel}
        </button>
      </div>
    </Modal>
  );
}
