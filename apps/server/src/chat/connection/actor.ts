import type { Actor } from "../../backend/access-state";
import type { Identity } from "./context";

/**
 * Who asks the store, from what the connection holds: the user (under `name`, the one a room shows
 * them by, which may carry a suffix), the admin key, and the hash of the address they come from.
 * Never a role: the store decides the role from its own state and what the actor holds.
 */
export function actorOf(identity: Identity, name: string = identity.name): Actor {
  return {
    id: identity.userId,
    name,
    ...(identity.admin ? { admin: true } : {}),
    ...(identity.addressHash === undefined ? {} : { addressHash: identity.addressHash }),
  };
}
