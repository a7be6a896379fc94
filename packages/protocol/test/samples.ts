import type { ChatFrame, ClientFrame, ServerFrame, User } from "../src/index";

/** One valid example of every frame, shared by the unit tests; each test mutates a copy. */
export const alice: User = { id: "u_alice", name: "alice" };
export const bob: User = { id: "u_bob", name: "bob" };
/** A pass or invite code as the server makes them: 32 random bytes in base64url. */
const KEY = "k3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk";

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
  create: { type: "create", room: "team", private: true, clientMsgId: "n-1" },
  moderate: { type: "moderate", room: "lobby", clientMsgId: "m-1", action: "mute", user: "u_bob", durationMs: 600_000 },
  report: { type: "report", room: "lobby", target: 42, reason: "spam", clientMsgId: "p-1" },
  "resolve-report": { type: "resolve-report", room: "lobby", report: "r_1", clientMsgId: "p-2" },
  invite: { type: "invite", room: "team", role: "member", expiresInMs: 86_400_000, maxUses: 5, clientMsgId: "i-1" },
  "revoke-invite": { type: "revoke-invite", room: "team", invite: "i_1", clientMsgId: "i-2" },
  "room-admin": { type: "room-admin", room: "team" },
  auth: { type: "auth", token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl" },
  leave: { type: "leave", room: "lobby" },
  chat: { type: "chat", room: "lobby", text: "hello", clientMsgId: "c-1" },
  edit: { type: "edit", room: "lobby", target: 42, text: "fixed typo", clientMsgId: "e-1" },
  delete: { type: "delete", room: "lobby", target: 42, clientMsgId: "d-1" },
  react: { type: "react", room: "lobby", target: 42, emoji: "👍", on: true, clientMsgId: "r-1" },
  typing: { type: "typing", room: "lobby", active: true },
  rename: { type: "rename", name: "bob" },
  history: { type: "history", room: "lobby", before: 10, limit: 50 },
  read: { type: "read", room: "lobby", seq: 42 },
  notify: { type: "notify", room: "lobby", level: "all" },
  search: { type: "search", clientMsgId: "q-1", query: "测试 from:alice", room: "lobby", limit: 20 },
  ping: { type: "ping", t: 123 },
};

export const validServerFrames: Record<ServerFrame["type"], ServerFrame> = {
  ready: {
    type: "ready",
    protocol: 2,
    you: alice,
    session: "s3ssion-token-0123456789",
    rooms: [{ room: "lobby", latestSeq: 42, readSeq: 40, unread: 2, unreadMentions: 1, notify: "mentions" }],
    limits: { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20, maxRooms: 50, roomMentionMembersMax: 50 },
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
    unreadMentions: 1,
    notify: "mentions",
    role: "member",
    private: false,
    locked: false,
    slowModeMs: 0,
    staff: [{ ...bob, role: "owner" }],
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
  moderation: {
    type: "moderation",
    room: "lobby",
    seq: 60,
    ts: 1_700_000_103_000,
    by: alice,
    clientMsgId: "m-1",
    action: "mute",
    user: bob,
    durationMs: 600_000,
    until: 1_700_000_703_000,
  },
  created: { type: "created", room: "team", clientMsgId: "n-1", key: KEY },
  "invite-created": {
    type: "invite-created",
    room: "team",
    clientMsgId: "i-1",
    invite: {
      id: "i_1",
      role: "member",
      expiresAt: 1_700_086_400_000,
      maxUses: 5,
      uses: 0,
      revoked: false,
      createdBy: alice,
      ts: 1_700_000_000_000,
    },
    code: KEY,
  },
  "invite-revoked": { type: "invite-revoked", room: "team", clientMsgId: "i-2", invite: "i_1" },
  reported: { type: "reported", room: "lobby", clientMsgId: "p-1", report: "r_1" },
  report: {
    type: "report",
    room: "lobby",
    report: { id: "r_1", target: 42, reason: "spam", by: bob, ts: 1_700_000_000_000, author: alice, text: "hello" },
  },
  "report-resolved": { type: "report-resolved", room: "lobby", report: "r_1", by: alice, clientMsgId: "p-2" },
  "room-admin": { type: "room-admin", room: "team", invites: [], bans: [], mutes: [], reports: [] },
  notify: { type: "notify", room: "lobby", level: "none" },
  "search-results": {
    type: "search-results",
    clientMsgId: "q-1",
    results: [{ room: "lobby", seq: 42, from: alice, ts: 1_700_000_000_000, snippet: "…the 测试 passed", highlights: [[5, 7]] }],
    next: "c42",
  },
  authed: { type: "authed", exp: 1_700_000_900 },
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
