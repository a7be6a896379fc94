import { useEffect, useState } from "react";
import { useStrings } from "../../i18n/use-strings";
import { UI_TUNABLES } from "../../ui-tunables";

interface OpenRoom {
  name: string;
  memberCount: number;
}

/** The server's list of rooms with people in them (`/api/rooms`), asked again every few seconds. */
function useOpenRooms(): OpenRoom[] {
  const [rooms, setRooms] = useState<OpenRoom[]>([]);
  useEffect(() => {
    let cancelled = false;
    const load = () =>
      fetch(`/api/rooms?limit=${UI_TUNABLES.roomsListed}`)
        .then((response) => (response.ok ? response.json() : { rooms: [] }))
        .then((body: { rooms?: OpenRoom[] }) => {
          if (!cancelled) setRooms(body.rooms ?? []);
        })
        // A failed refresh keeps the last list; the next one may work.
        .catch(() => {});
    void load();
    const timer = window.setInterval(load, UI_TUNABLES.roomsRefreshMs);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, []);
  return rooms;
}

/**
 * "Rooms with people": rooms the user is not in yet, to discover. Secondary to the user's own
 * rooms, so it lists only the others and disappears when there are none.
 */
export function BrowseRooms({ mine, onJoin }: { mine: ReadonlySet<string>; onJoin: (room: string) => void }) {
  const t = useStrings();
  const others = useOpenRooms().filter((room) => !mine.has(room.name));
  if (others.length === 0) return null;
  return (
    <section className="browse-rooms" aria-labelledby="browse-heading">
      <h2 id="browse-heading">{t.roomsWithPeople}</h2>
      <ul data-testid="browse-list">
        {others.map((room) => (
          <li key={room.name}>
            <button type="button" className="room-link" onClick={() => onJoin(room.name)}>
              <span className="room-link-name">#{room.name}</span>
              <span className="count">
                <span aria-hidden="true">{room.memberCount}</span>
                <span className="visually-hidden">{t.roomMembers(room.memberCount)}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
