import { findMentions, foldName, ROOM_MENTION, type User } from "@chatroom/protocol";

/** What a text mentions among a room's directory, before the `@room` rule is applied. */
export interface FoundMentions {
  /** First appearance order, each once, at most `max`. */
  users: User[];
  /** The text says `@room` (and no one in the directory is named "room"). */
  room: boolean;
}

/**
 * Resolves a text's mentions against a room's directory: the members present now first, then the
 * authors of its recent chats (newest first). Names are compared folded, so one folded name
 * stands for one user: a present member wins over an absent author, a newer author over an older
 * one. `findMentions` is the one grammar, which the page highlights with too. Pure: no I/O.
 */
export function resolveMentions(text: string, directory: Iterable<User>, max: number): FoundMentions {
  const found: FoundMentions = { users: [], room: false };
  // Cheap exit for the common case: most chats mention nobody.
  if (!text.includes("@")) return found;
  const byFolded = new Map<string, User>();
  for (const user of directory) {
    const folded = foldName(user.name);
    if (!byFolded.has(folded)) byFolded.set(folded, { id: user.id, name: user.name });
  }
  const seen = new Set<string>();
  for (const span of findMentions(
    text,
    [...byFolded.values()].map((user) => user.name),
    true,
  )) {
    const user = byFolded.get(foldName(span.name));
    if (!user) {
      if (span.name === ROOM_MENTION) found.room = true;
      continue;
    }
    if (seen.has(user.id) || found.users.length >= max) continue;
    seen.add(user.id);
    found.users.push(user);
  }
  return found;
}
