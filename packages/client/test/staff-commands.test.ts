import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { refreshDelayMs, tokenTimes } from "../src/auth/token-keeper";
import { CredentialStore } from "../src/persistence/credentials";
import { memoryStore } from "../src/persistence/storage";
import { RequestError } from "../src/requests/pending-requests";
import { capabilitiesFromFragment, fragmentWithoutCapabilities, ownerLinkPath } from "../src/room/capability-links";
import { transition } from "../src/transport/connection-machine";
import { setup } from "./support/client-setup";
import { alice, bob, chats, joined, moderation, ready } from "./support/fakes";

const KEY = "K".repeat(43);
const INVITE = "I".repeat(43);

/** Lets the promise chains of a token fetch run (no time passes: the clock is the test's). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A compact JWT with this payload (unsigned: the client never verifies, the server does). */
function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256" })}.${part(payload)}.c2ln`;
}

describe("moderate: through the outbox like an edit", () => {
  it("is acked, leaves the outbox on its own event, and goes out again with the same clientMsgId after a drop", () => {
    const t = setup();
    let socket = t.connect(joined({ messages: chats(1, 2), access: { role: "moderator" } }));
    t.client.moderate({ action: "mute", user: bob.id, durationMs: 600_000 });
    const [sent] = socket.sentOf("moderate");
    expect(sent).toMatchObject({ type: "moderate", room: "lobby", action: "mute", user: bob.id, durationMs: 600_000 });
    socket.drop(1006);
    socket = t.connect(joined({ events: [], latestSeq: 2, access: { role: "moderator" } }));
    const [again] = socket.sentOf("moderate");
    expect(again?.clientMsgId).toBe(sent?.clientMsgId);
    socket.receive({ type: "ack", room: "lobby", clientMsgId: sent?.clientMsgId as string, seq: 3, ts: 1 });
    socket.receive({
      ...moderation(3, "mute", { user: bob, durationMs: 600_000, until: 9 }, alice),
      clientMsgId: sent?.clientMsgId as string,
    });
    expect(t.snap().outbox).toEqual([]);
  });

  it("a refusal (rank) stays in the outbox with its code, for the page to say why", () => {
    const t = setup();
    const socket = t.connect(joined({ access: { role: "moderator" } }));
    t.client.moderate({ action: "kick", user: bob.id });
    const [sent] = socket.sentOf("moderate");
    socket.receive({ type: "error", code: "forbidden", message: "rank", room: "lobby", clientMsgId: sent?.clientMsgId as string });
    expect(t.snap().outbox).toMatchObject([{ kind: "moderate", status: "failed", failureCode: "forbidden", moderate: { action: "kick" } }]);
  });
});

describe("credentials: passes and invites in join, kept browser-wide", () => {
  it("createRoom resolves with the owner's pass once created, keeps it, and joins with it", async () => {
    const t = setup();
    const socket = t.connect(joined());
    const creating = t.client.createRoom("team", true);
    const [create] = socket.sentOf("create");
    expect(create).toMatchObject({ type: "create", room: "team", private: true });
    socket.receive({ type: "created", room: "team", clientMsgId: create?.clientMsgId as string, key: KEY });
    socket.receive({ type: "ack", room: "team", clientMsgId: create?.clientMsgId as string, seq: 1, ts: 1 });
    await expect(creating).resolves.toEqual({ room: "team", key: KEY });
    expect(ownerLinkPath("team", KEY)).toBe(`/r/team#key=${KEY}`);
    // Created, not opened: the caller opens it, and the join carries the pass.
    expect(t.snap().room).not.toBe("team");
    t.client.openRoom("team");
    expect(socket.joinOf("team")).toEqual({ type: "join", room: "team", key: KEY });
    expect(t.snap().room).toBe("team");
    expect(t.snap().alert).toBeNull();
    // Another tab of the browser (its own participant) joins with the same pass.
    const other = setup({ shared: t.shared, initialRoom: "team" });
    expect(other.connect(joined({ room: "team" })).joinOf("team")).toEqual({ type: "join", room: "team", key: KEY });
  });

  it("createRoom rejects with the server's code (room_exists), and with offline before ready", async () => {
    const t = setup();
    await expect(t.client.createRoom("team", false)).rejects.toMatchObject({ code: "offline" });
    const socket = t.connect(joined());
    const creating = t.client.createRoom("lobby", false);
    const [create] = socket.sentOf("create");
    socket.receive({ type: "error", code: "room_exists", message: "exists", room: "lobby", clientMsgId: create?.clientMsgId as string });
    await expect(creating).rejects.toBeInstanceOf(RequestError);
    await expect(creating).rejects.toMatchObject({ code: "room_exists" });
    expect(t.snap().alert).toBeNull();
  });

  it("redeems an invite once: joined.key becomes the room's pass, and the invite is not sent again", () => {
    const t = setup({ initialRoom: "team" });
    t.credentials.setInvite("team", INVITE);
    let socket = t.connect(joined({ room: "team", access: { key: KEY, private: true } }));
    expect(socket.joinOf("team")).toEqual({ type: "join", room: "team", invite: INVITE });
    expect(t.credentials.pass("team")).toBe(KEY);
    expect(t.credentials.invite("team")).toBeUndefined();
    socket.drop(1006);
    socket = t.connect(joined({ room: "team" }));
    expect(socket.joinOf("team")).toMatchObject({ room: "team", key: KEY });
    expect(socket.joinOf("team")).not.toHaveProperty("invite");
  });

  it("a refused join (private room, no pass) drops the room with a notice; a spent invite is forgotten", () => {
    const t = setup({ initialRoom: "team" });
    t.credentials.setInvite("team", INVITE);
    t.client.start();
    const socket = t.sockets.last;
    socket.open();
    socket.receive(ready());
    socket.receive({ type: "error", code: "invite_invalid", message: "spent", room: "team" });
    expect(t.snap().roomRemoval).toMatchObject({ room: "team", reason: "invite_invalid" });
    expect(t.snap().rooms.map((summary) => summary.room)).not.toContain("team");
    expect(t.credentials.invite("team")).toBeUndefined();
  });

  it("reads capabilities from a link's fragment and leaves the rest of the fragment", () => {
    expect(capabilitiesFromFragment(`#key=${KEY}`)).toEqual({ key: KEY });
    expect(capabilitiesFromFragment(`#invite=${INVITE}&x=1`)).toEqual({ invite: INVITE });
    expect(capabilitiesFromFragment("#admin=short")).toEqual({});
    expect(fragmentWithoutCapabilities(`#invite=${INVITE}&x=1`)).toBe("#x=1");
    expect(fragmentWithoutCapabilities(`#admin=${KEY}`)).toBe("");
  });

  it("ignores malformed stored credentials", () => {
    const store = memoryStore();
    store.setItem("chatroom:credentials", JSON.stringify({ passes: { team: "no", "Bad Room": KEY, ok: KEY }, adminKey: 5 }));
    const credentials = new CredentialStore(store);
    expect(credentials.pass("team")).toBeUndefined();
    expect(credentials.pass("ok")).toBe(KEY);
    expect(credentials.adminKey()).toBeUndefined();
  });
});

describe("requests answered by a frame: invites, reports, the staff view", () => {
  it("invite resolves with the code; the staff view lists it, and drops a resolved report", async () => {
    const t = setup({ initialRoom: "team" });
    const socket = t.connect(joined({ room: "team", access: { role: "owner" } }));
    t.client.openStaffView();
    expect(socket.sentOf("room-admin")).toEqual([{ type: "room-admin", room: "team" }]);
    const report = { id: "r_1", target: 1, reason: "spam", by: bob, ts: 1 };
    socket.receive({ type: "room-admin", room: "team", invites: [], bans: [], mutes: [], reports: [report] });
    const inviting = t.client.invite({ role: "moderator", maxUses: 1 });
    const [sent] = socket.sentOf("invite");
    expect(sent).toMatchObject({ room: "team", role: "moderator", maxUses: 1 });
    const info = { id: "i_1", role: "moderator" as const, maxUses: 1, uses: 0, revoked: false, createdBy: alice, ts: 1 };
    socket.receive({ type: "invite-created", room: "team", clientMsgId: sent?.clientMsgId as string, invite: info, code: INVITE });
    await expect(inviting).resolves.toEqual({ invite: info, code: INVITE });
    expect(t.snap().staffView?.invites).toEqual([info]);
    const resolving = t.client.resolveReport("r_1");
    const [resolve] = socket.sentOf("resolve-report");
    socket.receive({ type: "report-resolved", room: "team", report: "r_1", by: alice, clientMsgId: resolve?.clientMsgId as string });
    await resolving;
    expect(t.snap().staffView?.reports).toEqual([]);
  });

  it("a request in flight when the link drops rejects as offline", async () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 1) }));
    const reporting = t.client.report(1, "spam");
    expect(socket.sentOf("report")).toMatchObject([{ room: "lobby", target: 1, reason: "spam" }]);
    socket.drop(1006);
    await expect(reporting).rejects.toMatchObject({ code: "offline" });
  });
});

describe("sign-in with a host app's token (getToken)", () => {
  const now = 1_700_000_000; // the fake clock's start, in seconds

  it("reads exp and iat, and refreshes at 80 % of the token's life", () => {
    expect(tokenTimes(jwt({ sub: "a", iat: now, exp: now + 100 }))).toEqual({ iat: now, exp: now + 100 });
    expect(tokenTimes("not.a-token.x")).toBeNull();
    expect(refreshDelayMs({ iat: now, exp: now + 100 }, now * 1000, 0.8, 5_000)).toBe(80_000);
    expect(refreshDelayMs({ exp: now + 1 }, now * 1000, 0.8, 5_000)).toBe(5_000);
  });

  it("sends the token in hello, auth with a fresh one before expiry, and after a 4401 fetches a new one to resume", async () => {
    const tokens = [
      jwt({ sub: "a", iat: now, exp: now + 100 }),
      jwt({ sub: "a", iat: now + 80, exp: now + 180 }),
      jwt({ sub: "a", iat: now + 90, exp: now + 190 }),
    ];
    let fetched = 0;
    const t = setup({ getToken: async () => tokens[fetched++] as string });
    t.client.start();
    let socket = t.sockets.last;
    socket.open();
    await settled();
    expect(socket.hello).toMatchObject({ type: "hello", token: tokens[0] });
    socket.receive(ready());
    socket.receive(joined());
    // The link stays alive (pongs answer the pings) while the token ages.
    for (let i = 0; i < 3; i++) {
      t.clock.advance(20_000);
      socket.receive({ type: "pong" });
    }
    t.clock.advance(19_999);
    socket.receive({ type: "pong" });
    expect(socket.sentOf("auth")).toEqual([]);
    t.clock.advance(1);
    await settled();
    expect(socket.sentOf("auth")).toEqual([{ type: "auth", token: tokens[1] }]);
    socket.receive({ type: "authed", exp: now + 180 });
    socket.drop(CLOSE_CODES.tokenExpired.code);
    expect(t.snap().connection).toMatchObject({ status: "reconnecting", renewToken: true });
    t.clock.advance(60_000);
    socket = t.sockets.last;
    socket.open();
    await settled();
    expect(socket.hello).toMatchObject({ type: "hello", token: tokens[2] });
    expect(fetched).toBe(3);
  });

  it("without getToken, 4401 ends the connection (unauthorized) instead of retrying", () => {
    const dropped = { type: "dropped" as const, code: CLOSE_CODES.tokenExpired.code, now: 0, delayMs: 100 };
    expect(transition({ status: "open", attempt: 0 }, dropped)).toEqual({ status: "closed", reason: "unauthorized", lastCode: 4401 });
    expect(transition({ status: "open", attempt: 0 }, { ...dropped, canRenewToken: true })).toEqual({
      status: "reconnecting",
      attempt: 1,
      retryAt: 100,
      lastCode: 4401,
      renewToken: true,
    });
  });
});
