import type { ClientFrameOf } from "@chatroom/protocol";
import { errorFrame } from "../frames";
import type { ConnectionContext, SeatContext } from "./context";

/**
 * `rename`: a user has one name, so it applies in every room the connection has joined, or in
 * none. Refused with `name_taken` (naming the room) when another member present in one of them
 * holds the name; otherwise each room tells its members, and the session keeps the name.
 *
 * On a cluster the claim is made room by room in the shared store, and another node may take the
 * name between two rooms: the rooms renamed before that are renamed back, so nothing changes.
 */
export async function renameEverywhere(
  connection: ConnectionContext,
  seats: readonly SeatContext[],
  frame: ClientFrameOf<"rename">,
): Promise<void> {
  const { identity, outlet, services } = connection;
  const { name } = frame;
  const taken = seats.find(({ room }) => room.nameTakenByOther(name, identity.userId));
  if (taken) {
    outlet.write(nameTaken(name, taken.room.name));
    return;
  }
  const renamed: Array<{ context: SeatContext; previous: string }> = [];
  for (const context of seats) {
    const previous = context.room.userOf(context.seat)?.name ?? identity.name;
    const outcome = await context.room.rename(context.seat, name);
    if (outcome === "taken") {
      await Promise.all(renamed.map((done) => restore(done.context, done.previous)));
      outlet.write(nameTaken(name, context.room.name));
      return;
    }
    if (outcome === "renamed") renamed.push({ context, previous });
  }
  if (identity.name === name && renamed.length === 0) return;
  identity.name = name;
  await services.sessions.save(identity.token, { userId: identity.userId, name });
}

function nameTaken(name: string, room: string): string {
  return errorFrame("name_taken", `"${name}" is already taken in ${room}`, { room });
}

/** Best effort: the old name was this user's a moment ago, so it is free unless someone took it since. */
async function restore(context: SeatContext, name: string): Promise<void> {
  await context.room.rename(context.seat, name);
}
