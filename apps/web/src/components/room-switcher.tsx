import { isValidRoom } from "@chatroom/protocol";
import { type FormEvent, useEffect, useState } from "react";
import { useStrings } from "../i18n/use-strings";

interface RoomSummary {
  name: string;
  memberCount: number;
}

export function RoomSwitcher({ current, onSelect }: { current: string; onSelect: (room: string) => void }) {
  const t = useStrings();
  const [rooms, setRooms] = useState<RoomSummary[]>([]);
  const [draft, setDraft] = useState("");

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      fetch("/api/rooms?limit=50")
        .then((response) => (response.ok ? response.json() : { rooms: [] }))
        .then((body: { rooms?: RoomSummary[] }) => {
          if (!cancelled) setRooms(body.rooms ?? []);
        })
        .catch(() => {});
    void load();
    const timer = window.setInterval(load, 5_000);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const room = draft.trim().toLowerCase();
    if (!isValidRoom(room)) return;
    setDraft("");
    onSelect(room);
  };

  const listed = rooms.some((room) => room.name === current) ? rooms : [{ name: current, memberCount: 0 }, ...rooms];
  return (
    <nav className="rooms" aria-labelledby="rooms-heading">
      <h2 id="rooms-heading">{t.rooms}</h2>
      <ul>
        {listed.map((room) => (
          <li key={room.name}>
            <button
              type="button"
              className={room.name === current ? "room-link current" : "room-link"}
              aria-current={room.name === current ? "page" : undefined}
              onClick={() => onSelect(room.name)}
            >
              <span>#{room.name}</span>
              {room.memberCount > 0 && <span className="count">{room.memberCount}</span>}
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
          pattern="[a-z0-9][a-z0-9_\-]{0,31}"
          title={t.roomHint}
          onChange={(event) => setDraft(event.target.value.toLowerCase())}
        />
        <button type="submit" className="secondary">
          {t.goToRoom}
        </button>
      </form>
    </nav>
  );
}
