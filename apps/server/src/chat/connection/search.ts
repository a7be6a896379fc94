import { type ClientFrameOf, parseSearchQuery } from "@chatroom/protocol";
import { decodeSearchCursor, encodeSearchCursor } from "../../backend/search/cursor";
import { errorFrame, searchResultsFrame } from "../frames";
import { actorOf } from "./actor";
import type { ConnectionContext } from "./context";
import { refuseIfLimited } from "./handlers";

/** One answer for every room the user may not search, so the answer never tells a private room from a missing one. */
const NOT_READABLE = "you may not search that room";

/**
 * `search`: its own budget, the query parsed by the protocol's one grammar (`bad_query` with its
 * reason), the rooms the user may read, then the store's search. Needs no joined room.
 */
export async function handleSearch(connection: ConnectionContext, frame: ClientFrameOf<"search">): Promise<void> {
  const { services, outlet } = connection;
  const { limits } = services.deps;
  const about = { clientMsgId: frame.clientMsgId };
  if (refuseIfLimited(connection, "search", about)) return;
  const parse = parseSearchQuery(frame.query, limits.searchQueryMaxLength);
  if (!parse.ok) {
    outlet.write(errorFrame("bad_query", parse.reason, about));
    return;
  }
  const { query } = parse;
  if (frame.room !== undefined && query.room !== undefined && frame.room !== query.room) {
    outlet.write(errorFrame("bad_query", `room ${frame.room} and in:${query.room} name different rooms`, about));
    return;
  }
  const after = frame.cursor === undefined ? undefined : decodeSearchCursor(frame.cursor);
  if (frame.cursor !== undefined && after === undefined) {
    outlet.write(errorFrame("bad_query", "cursor is not one this server gave", about));
    return;
  }
  const named = frame.room ?? query.room;
  const rooms = named === undefined ? await memberRooms(connection) : await namedRoom(connection, named);
  if (rooms === undefined) {
    outlet.write(errorFrame("forbidden", NOT_READABLE, about));
    return;
  }
  const page = await services.search.search({ query, rooms, limit: frame.limit ?? limits.searchPageDefault, ...(after ? { after } : {}) });
  outlet.write(searchResultsFrame(frame.clientMsgId, page.hits, page.next && encodeSearchCursor(page.next)));
}

/** "All your rooms": the user's memberships, minus private rooms they are no longer admitted to (or banned from). */
async function memberRooms(connection: ConnectionContext): Promise<string[]> {
  const { memberships, access } = connection.services;
  const { identity } = connection;
  const rooms = (await memberships.list(identity.userId)).map((membership) => membership.room);
  const readable = await Promise.all(rooms.map((room) => access.mayRead(room, actorOf(identity, room))));
  return rooms.filter((_, index) => readable[index]);
}

/**
 * One room: a membership the user may still read, or an open room that exists (it has history)
 * and does not ban them. Anything else, a private room or no room at all, is the same `forbidden`.
 */
async function namedRoom(connection: ConnectionContext, room: string): Promise<string[] | undefined> {
  const { memberships, access, messages } = connection.services;
  const { identity } = connection;
  const [member, readable, latestSeq] = await Promise.all([
    memberships.readSeq(identity.userId, room),
    access.mayRead(room, actorOf(identity, room)),
    messages.latestSeq(room),
  ]);
  if (!readable) return undefined;
  return member !== undefined || latestSeq > 0 ? [room] : undefined;
}
