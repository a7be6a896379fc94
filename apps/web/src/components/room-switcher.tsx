import { isValidRoom } from "@chatroom/protocol";
import { type FormEvent, useEffect, useState } from "react";
import { useStrings } from "../i18n/use-strings";
import { UI_TUNABLES } from "../ui-tunables";

interface RoomSummary {
  name: string;
  memberCount: number;
}

export function RoomSwitcher({ current, onSelect }: { current: string; onSelect: (room: string) => void }) {
  const t = useStrings();
  const [rooms, setRooms] = useState<RoomSummary[]>([]);
  const [draft, setDraft] = useState("");
  const [invalid, setInvalid] = useState(false);

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      fetch(`/api/rooms?limit=${UI_TUNABLES.roomsListed}`)
        .then((response) => (response.ok ? response.json() : { rooms: [] }))
        .then((body: { rooms?: RoomSummary[] }) => {
          if (!cancelled) setRooms(body.rooms ?? []);
        })
        .catch(() => {});
    void load();
    const timer = window.setInterval(load, UI_TUNABLES.roomsRefreshMs);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const room = draft.trim().toLowerCase();
    if (!isValidRoom(room)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setDraft("");
    onSelect(room);
  };

  const listed = rooms.some((room) => room.name === current) ? rooms : [{ name: current, memberCount: 0 }, ...rooms];
  return (
    <nav className="rooms" aria-labelledby="rooms-heading">
      <h2 id="rooms-heading">{t.rooms}</h2>
      <ul data-testid="room-list">
        {listed.map((room) => (
          <li key={room.name}>
            <button
              type="button"
              className={room.name === current ? "room-link current" : "room-link"}
              aria-current={room.name === current ? "page" : undefined}
              onClick={() => onSelect(room.name)}
            >
              <span className="room-link-name">#{room.name}</span>
              {room.memberCount > 0 && (
                <span className="count" role="img" aria-label={t.roomMembers(room.memberCount)}>
                  {room.memberCount}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
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
    </nav>
  );
}
