import type { ClientFrameOf } from "@chatroom/protocol";
import { readyFrame } from "../frames";
import type { ChatServices, Identity } from "./context";

export interface Greeting {
  identity: Identity;
  /** The encoded `ready` frame. */
  ready: string;
}

/**
 * The hello step: who the client is, and its `ready`. A known session keeps its user and name
 * (the name in `hello` is ignored); an unknown or missing one is a new user, saved before `ready`
 * so that a resume right after it finds the session. `ready.rooms` lists the user's memberships.
 */
export async function greet(
  services: Pick<ChatServices, "deps" | "sessions" | "memberships">,
  hello: ClientFrameOf<"hello">,
  connection: { addressHash?: string },
): Promise<Greeting> {
  const { deps, sessions, memberships } = services;
  const record = hello.session === undefined ? undefined : await sessions.get(hello.session);
  let identity: Identity;
  // The admin key and a host app's token are the identity step's ([4/6] identity): until it
  // checks them, nobody is admin.
  const held = { admin: false, ...connection };
  if (record && hello.session !== undefined) {
    identity = { token: hello.session, userId: record.userId, name: record.name, ...held };
  } else {
    identity = { token: deps.ids.sessionToken(), userId: deps.ids.userId(), name: hello.name ?? deps.ids.guestName(), ...held };
    await sessions.save(identity.token, { userId: identity.userId, name: identity.name });
  }
  // A new user has no memberships: no need to ask.
  const rooms = record ? await memberships.list(identity.userId) : [];
  return {
    identity,
    ready: readyFrame({ you: { id: identity.userId, name: identity.name }, session: identity.token, rooms, limits: deps.limits }),
  };
}
