import { type ChatClient, ownerLinkPath, RequestError } from "@chatroom/client";
import { isValidRoom } from "@chatroom/protocol";
import { type FormEvent, useState } from "react";
import { useStaffDialogStrings } from "../../i18n/use-staff-dialog-strings";
import { useStrings } from "../../i18n/use-strings";
import { CopyLink } from "./copy-link";
import { Modal } from "./modal";

/**
 * "New room": a name and open or private; then the owner link, shown this once with a copy
 * button and a warning to keep it (the browser keeps the pass itself). Loaded on first use.
 */
export function NewRoomDialog({
  client,
  onClose,
  onCreated,
}: {
  client: ChatClient;
  onClose: () => void;
  onCreated: (room: string) => void;
}) {
  const t = useStrings();
  const d = useStaffDialogStrings();
  const [room, setRoom] = useState("");
  const [isPrivate, setPrivate] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [ownerLink, setOwnerLink] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const name = room.trim().toLowerCase();
    if (!isValidRoom(name)) {
      setError(t.roomInvalid);
      return;
    }
    setBusy(true);
    client.createRoom(name, isPrivate).then(
      ({ key }) => {
        setBusy(false);
        setOwnerLink(`${window.location.origin}${ownerLinkPath(name, key)}`);
        onCreated(name);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure instanceof RequestError && failure.code !== "offline" ? t.errorCode(failure.code) : d.requestFailed("offline"));
      },
    );
  };

  return (
    <Modal title={ownerLink ? d.ownerLinkTitle : d.newRoomTitle} onClose={onClose} testId="new-room-dialog">
      {ownerLink ? (
        <>
          <p className="hint" id="owner-link-warning">
            {d.ownerLinkWarning}
          </p>
          <CopyLink url={ownerLink} label={d.ownerLinkTitle} testId="owner-link" />
          <div className="dialog-actions">
            <button type="button" onClick={onClose} data-testid="owner-link-done">
              {d.done}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <label htmlFor="new-room-name">{d.roomNameLabel}</label>
          <input
            id="new-room-name"
            value={room}
            maxLength={32}
            autoComplete="off"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "new-room-error" : undefined}
            onChange={(event) => {
              setRoom(event.target.value);
              setError(null);
            }}
          />
          <label className="checkbox">
            <input
              type="checkbox"
              checked={isPrivate}
              data-testid="new-room-private"
              onChange={(event) => setPrivate(event.target.checked)}
            />{" "}
            {d.privateRoom}
          </label>
          {error && (
            <p id="new-room-error" className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={onClose}>
              {t.cancel}
            </button>
            <button type="submit" disabled={busy}>
              {d.create}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
