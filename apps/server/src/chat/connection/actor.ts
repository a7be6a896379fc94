import type { Actor } from "../../backend/access-state";
import type { Identity } from "./context";

/**
 * Who asks the store about `room`, from what the connection holds: the user (under `name`, the one
 * the room shows them by, which may carry a suffix), the admin key, the role the host app's token
 * claims for this room (`AUTH=jwt`), and the hash of the address they come from. Never a stored
 * role: the store decides the effective role from its own state and what the actor holds.
 */
export function actorOf(identity: Identity, room: string, name: string = identity.name): Actor {
  const claimedRole = identity.claims?.rooms[room];
  return {
    id: identity.userId,
    name,
    ...(identity.admin ? { admin: true } : {}),
    ...(claimedRole === undefined ? {} : { claimedRole }),
    ...(identity.addressHash === undefined ? {} : { addressHash: identity.addressHash }),
  };
}
