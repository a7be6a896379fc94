import { isValidRoom } from "@chatroom/protocol";
import { type FormEvent, useState } from "react";
import { useStrings } from "../../i18n/use-strings";

/** Joins (or opens) a room by typing its name; refuses a name the server would refuse, saying why. */
export function JoinRoomForm({ onJoin }: { onJoin: (room: string) => void }) {
  const t = useStrings();
  const [draft, setDraft] = useState("");
  const [invalid, setInvalid] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const room = draft.trim().toLowerCase();
    if (!isValidRoom(room)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setDraft("");
    onJoin(room);
  };

  return (
    <>
      <form className="room-form" onSubmit={submit}>
        <label htmlFor="room-input" className="visually-hidden">
          {t.roomLabel}
        </label>
        <input
          id="room-input"
          value={draft}
          placeholder={t.roomLabel}
          maxLength={32}
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={invalid ? "room-error" : undefined}
          onChange={(event) => {
            setDraft(event.target.value.toLowerCase());
            setInvalid(false);
          }}
        />
        <button type="submit" className="secondary">
          {t.goToRoom}
        </button>
      </form>
      {invalid && (
        <p id="room-error" className="field-error" role="alert">
          {t.roomInvalid}
        </p>
      )}
    </>
  );
}
