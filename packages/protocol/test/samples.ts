import type { ChatFrame, ClientFrame, ServerFrame, User } from "../src/index";

/** One valid example of every frame, shared by the unit tests; each test mutates a copy. */
export const alice: User = { id: "u_alice", name: "alice" };
export const bob: User = { id: "u_bob", name: "bob" };

export const chat: ChatFrame = {
  type: "chat",
  room: "lobby",
  seq: 42,
  id: "m_01",
  from: alice,
  text: "hello\nworld",
  ts: 1_700_000_000_000,
  clientMsgId: "c-1",
};

export const validClientFrames: Record<ClientFrame["type"], ClientFrame> = {
  hello: { type: "hello", protocol: 2, session: "s3ssion-token-0123456789", name: "alice" },
  join: { type: "join", room: "lobby", since: 40 },
  leave: { type: "leave", room: "lobby" },
  chat: { type: "chat", room: "lobby", text: "hello", clientMsgId: "c-1" },
  edit: { type: "edit", room: "lobby", target: 42, text: "fixed typo", clientMsgId: "e-1" },
  delete: { type: "delete", room: "lobby", target: 42, clientMsgId: "d-1" },
  react: { type: "react", room: "lobby", target: 42, emoji: "👍", on: true, clientMsgId: "r-1" },
  typing: { type: "typing", room: "lobby", active: true },
  rename: { type: "rename", name: "bob" },
  history: { type: "history", room: "lobby", before: 10, limit: 50 },
  read: { type: "read", room: "lobby", seq: 42 },
  ping: { type: "ping", t: 123 },
};

export const validServerFrames: Record<ServerFrame["type"], ServerFrame> = {
  ready: {
    type: "ready",
    protocol: 2,
    you: alice,
    session: "s3ssion-token-0123456789",
    rooms: [{ room: "lobby", latestSeq: 42, readSeq: 40, unread: 2 }],
    limits: { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20, maxRooms: 50 },
  },
  joined: {
    type: "joined",
    room: "lobby",
    you: alice,
    members: [alice, bob],
    memberCount: 2,
    messages: [chat],
    latestSeq: 42,
    complete: true,
    readSeq: 40,
  },
  left: { type: "left", room: "lobby" },
  chat,
  edit: { type: "edit", room: "lobby", seq: 57, ts: 1_700_000_100_000, target: 42, text: "fixed typo", by: alice, clientMsgId: "e-1" },
  delete: { type: "delete", room: "lobby", seq: 58, ts: 1_700_000_101_000, target: 42, by: alice, clientMsgId: "d-1" },
  reaction: {
    type: "reaction",
    room: "lobby",
    seq: 59,
    ts: 1_700_000_102_000,
    target: 41,
    emoji: "👍",
    on: true,
    by: bob,
    clientMsgId: "r-1",
  },
  system: {
    type: "system",
    room: "lobby",
    ts: 1_700_000_000_000,
    joined: [bob],
    left: [],
    renamed: [{ user: alice, previousName: "al" }],
    memberCount: 2,
  },
  typing: { type: "typing", room: "lobby", user: bob, active: true },
  ack: { type: "ack", room: "lobby", clientMsgId: "c-1", seq: 42, ts: 1_700_000_000_000 },
  history: { type: "history", room: "lobby", messages: [chat], hasOlder: false },
  error: { type: "error", code: "rate_limited", message: "slow down", room: "lobby", clientMsgId: "c-1", retryAfterMs: 200 },
  pong: { type: "pong", t: 123 },
};

/** A JSON text frame built from a plain object, the way a client would send it. */
export function raw(value: unknown): string {
  return JSON.stringify(value);
}
