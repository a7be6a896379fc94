import { describe, expect, it } from "vitest";
import { setup } from "./support/client-setup";
import { carol, joined, ready } from "./support/fakes";

const KEY = "K".repeat(43);
const INVITE = "I".repeat(43);

describe("refusals of [4/6]: slow mode waits, a mute or lock closes the composer", () => {
  it("slow_mode: the chat stays pending, waits retryAfterMs (past the ack timeout) and goes out again with its id", () => {
    const t = setup();
    const socket = t.connect(joined({ access: { slowModeMs: 30_000 } }));
    t.client.send("second message too soon");
    const id = socket.sentOf("chat")[0]?.clientMsgId ?? "";
    socket.receive({ type: "error", code: "slow_mode", message: "slow", room: "lobby", clientMsgId: id, retryAfterMs: 20_000 });
    expect(t.snap().outbox[0]?.status).toBe("pending");
    t.clock.advance(19_999);
    expect(t.snap().outbox[0]?.status).toBe("pending");
    expect(socket.sentOf("chat")).toHaveLength(1);
    t.clock.advance(1);
    expect(socket.sentOf("chat").map((frame) => frame.clientMsgId)).toEqual([id, id]);
    socket.receive({ type: "ack", room: "lobby", clientMsgId: id, seq: 1, ts: t.clock.now() });
    expect(t.snap().outbox[0]?.status).not.toBe("failed");
  });

  it("muted with retryAfterMs: refused (shown), and the composer knows until when; without it: for good", () => {
    const t = setup();
    const socket = t.connect(joined());
    t.client.send("hello?");
    const first = socket.sentOf("chat")[0]?.clientMsgId ?? "";
    socket.receive({ type: "error", code: "muted", message: "muted", room: "lobby", clientMsgId: first, retryAfterMs: 60_000 });
    expect(t.snap().outbox[0]).toMatchObject({ status: "failed", failureCode: "muted" });
    expect(t.snap().access.mutedUntil).toBe(t.clock.now() + 60_000);
    t.client.send("again");
    const second = socket.sentOf("chat")[1]?.clientMsgId ?? "";
    socket.receive({ type: "error", code: "muted", message: "muted", room: "lobby", clientMsgId: second });
    expect(t.snap().access.mutedUntil).toBeNull();
  });

  it("locked: refused, and the room shows as locked before its event arrives", () => {
    const t = setup();
    const socket = t.connect(joined());
    t.client.send("hi");
    const id = socket.sentOf("chat")[0]?.clientMsgId ?? "";
    socket.receive({ type: "error", code: "locked", message: "locked", room: "lobby", clientMsgId: id });
    expect(t.snap().outbox[0]).toMatchObject({ status: "failed", failureCode: "locked" });
    expect(t.snap().access.locked).toBe(true);
  });
});

describe("a revoked pass is not kept", () => {
  it("a kick forgets the room's pass, so a new invite link is what the next join sends", () => {
    const t = setup({ initialRoom: "team" });
    t.credentials.setPass("team", KEY);
    const socket = t.connect(joined({ room: "team", access: { private: true } }));
    expect(socket.joinOf("team")).toMatchObject({ key: KEY });
    socket.receive({ type: "left", room: "team", reason: "kicked", by: carol });
    expect(t.credentials.pass("team")).toBeUndefined();
  });

  it("a pass refused as forbidden (revoked while away) is forgotten; a waiting invite is tried in its place", () => {
    const t = setup({ initialRoom: "team" });
    t.credentials.setPass("team", KEY);
    t.credentials.setInvite("team", INVITE);
    // setInvite after setPass keeps both: the pass is sent first.
    t.client.start();
    const socket = t.sockets.last;
    socket.open();
    socket.receive(ready());
    expect(socket.joinOf("team")).toMatchObject({ key: KEY });
    socket.receive({ type: "error", code: "forbidden", message: "private", room: "team" });
    expect(t.credentials.pass("team")).toBeUndefined();
    expect(socket.sentOf("join").at(-1)).toEqual({ type: "join", room: "team", invite: INVITE });
    expect(t.snap().roomRemoval).toBeNull();
  });

  it("a pass refused as forbidden with no invite waiting: forgotten, and the room goes with a notice", () => {
    const t = setup({ initialRoom: "team" });
    t.credentials.setPass("team", KEY);
    t.client.start();
    const socket = t.sockets.last;
    socket.open();
    socket.receive(ready());
    socket.receive({ type: "error", code: "forbidden", message: "private", room: "team" });
    expect(t.credentials.pass("team")).toBeUndefined();
    expect(t.snap().roomRemoval).toMatchObject({ room: "team", reason: "forbidden" });
  });
});
