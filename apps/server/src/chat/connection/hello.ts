import type { ClientFrameOf } from "@chatroom/protocol";
import { isAdminKey } from "../../security/admin-key";
import { readyFrame } from "../frames";
import type { ChatServices, Identity } from "./context";
import { type Refusal, signInWithToken } from "./host-token";

export interface Greeting {
  identity: Identity;
  /** The encoded `ready` frame. */
  ready: string;
}

/**
 * The hello step: who the client is, and its `ready` (or why not). A known session keeps its user
 * and name (the name in `hello` is ignored); an unknown or missing one is a new user, saved before
 * `ready` so that a resume right after it finds the session. `ready.rooms` lists the user's
 * memberships.
 *
 * Under `AUTH=jwt` the token decides who the user is: the id is its `sub` and the name its `name`
 * (the session's, or a guest name, when it has none; `hello.name` is ignored). A session is reused
 * only by the `sub` it was issued to, so a stolen session token does not make anyone else that user.
 *
 * A `hello.adminKey` that matches makes the connection admin; any other is ignored without a word,
 * so the answer tells a guesser nothing.
 */
export async function greet(
  services: Pick<ChatServices, "deps" | "sessions" | "memberships" | "adminKey" | "tokens">,
  hello: ClientFrameOf<"hello">,
  connection: { addressHash?: string } = {},
): Promise<Greeting | Refusal> {
  const { deps, sessions, memberships, tokens } = services;
  const signedIn = tokens ? await signInWithToken(tokens, hello.token, deps.limits.maxNameLength) : undefined;
  if (signedIn && "code" in signedIn) return signedIn;
  const admin = await isAdminKey(services.adminKey, hello.adminKey);
  const found = hello.session === undefined ? undefined : await sessions.get(hello.session);
  const record = found && (!signedIn || found.userId === signedIn.sub) ? found : undefined;
  const token = record && hello.session !== undefined ? hello.session : deps.ids.sessionToken();
  // The address hash rides on the identity so address bans can be checked where messages are stored.
  const held = { admin, ...connection };
  let identity: Identity;
  if (signedIn) {
    const name = signedIn.name ?? record?.name ?? deps.ids.guestName();
    identity = { token, userId: signedIn.sub, name, ...held, claims: signedIn.claims };
    if (record?.name !== name) await sessions.save(token, { userId: signedIn.sub, name });
  } else if (record) {
    identity = { token, userId: record.userId, name: record.name, ...held };
  } else {
    identity = { token, userId: deps.ids.userId(), name: hello.name ?? deps.ids.guestName(), ...held };
    await sessions.save(token, { userId: identity.userId, name: identity.name });
  }
  // A new guest has no memberships: no need to ask. A host-app user may, from any earlier session.
  const rooms = record || signedIn ? await memberships.list(identity.userId) : [];
  return {
    identity,
    ready: readyFrame({ you: { id: identity.userId, name: identity.name }, session: token, rooms, limits: deps.limits, admin }),
  };
}
