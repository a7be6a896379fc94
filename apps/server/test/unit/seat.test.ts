import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { Outlet } from "../../src/chat/connection/outlet";
import { Seat, type SeatHooks } from "../../src/chat/connection/seat";
import type { OutboundBatch, Peer } from "../../src/chat/ports";

const LIMIT = 1_000;
const NO_HOOKS: SeatHooks = { removed() {}, renamedBy() {} };

/** A transport whose send buffer the test sets. */
class FakePeer implements Peer {
  readonly sent: string[] = [];
  closedWith: { code: number; reason: string } | null = null;
  bufferedAmount = 0;
  readonly remoteAddress = "127.0.0.1";

  send(data: string | Buffer): void {
    this.sent.push(data.toString());
  }

  sendBatch(batch: OutboundBatch): void {
    for (const frame of batch.frames) this.sent.push(frame.toString());
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }
}

function seat() {
  const peer = new FakePeer();
  const outlet = new Outlet({ peer, slowConsumerBytes: LIMIT });
  return { peer, outlet, seat: new Seat({ outlet, userId: "u1", hooks: NO_HOOKS }) };
}

describe("Seat", () => {
  it("holds what is fanned out before its joined and sends it right after, in order; direct replies are not held", () => {
    const { peer, seat: s } = seat();
    s.deliver("chat-1");
    s.deliverBatch({ frames: [Buffer.from("chat-2"), Buffer.from("chat-3")] });
    s.write("pong");
    expect(peer.sent).toEqual(["pong"]);
    s.goLive("welcome");
    s.deliver("chat-4");
    expect(peer.sent).toEqual(["pong", "welcome", "chat-1", "chat-2", "chat-3", "chat-4"]);
  });

  it("closes a connection whose send buffer passes the bound, as too slow", () => {
    const { peer, seat: s } = seat();
    s.goLive("w");
    peer.bufferedAmount = LIMIT + 1;
    s.deliver("chat");
    expect(peer.closedWith).toEqual({ code: CLOSE_CODES.tooSlow.code, reason: CLOSE_CODES.tooSlow.reason });
    s.deliver("after");
    expect(peer.sent).toEqual(["w", "chat"]);
  });

  it("allows a big joined on top of the bound until the buffer first drains below it", () => {
    const { peer, seat: s } = seat();
    const welcome = "w".repeat(5 * LIMIT);
    peer.bufferedAmount = 4 * LIMIT;
    s.goLive(welcome);
    s.deliver("chat-1");
    expect(peer.closedWith).toBeNull();
    peer.bufferedAmount = LIMIT / 2;
    s.deliver("chat-2");
    peer.bufferedAmount = LIMIT + 1;
    s.deliver("chat-3");
    expect(peer.closedWith?.code).toBe(CLOSE_CODES.tooSlow.code);
  });

  it("writes nothing once its socket is gone", () => {
    const { peer, seat: s } = seat();
    s.goLive("w");
    s.detach();
    s.write("late");
    s.deliverBatch({ frames: [Buffer.from("late")] });
    expect(peer.sent).toEqual(["w"]);
    expect(peer.closedWith).toBeNull();
  });

  it("a seat that left its room writes nothing more, while the connection's other seats go on", () => {
    const { peer, outlet, seat: left } = seat();
    const other = new Seat({ outlet, userId: "u1", hooks: NO_HOOKS });
    left.goLive("joined-a");
    other.goLive("joined-b");
    left.detach();
    left.deliver("a-late");
    left.write("a-reply");
    other.deliver("b-chat");
    expect(peer.sent).toEqual(["joined-a", "joined-b", "b-chat"]);
    expect(peer.closedWith).toBeNull();
  });

  it("closing through one seat closes the whole connection: the other seats write nothing more", () => {
    const { peer, outlet, seat: a } = seat();
    const b = new Seat({ outlet, userId: "u1", hooks: NO_HOOKS });
    a.goLive("joined-a");
    b.goLive("joined-b");
    a.close(CLOSE_CODES.replaced.code, CLOSE_CODES.replaced.reason);
    b.deliver("b-chat");
    expect(peer.closedWith).toEqual({ code: CLOSE_CODES.replaced.code, reason: CLOSE_CODES.replaced.reason });
    expect(peer.sent).toEqual(["joined-a", "joined-b"]);
    expect(outlet.isOpen).toBe(false);
  });
});

describe("Outlet: one send buffer for every room of a connection", () => {
  it("the slow-consumer bound counts the socket's buffer, whichever room writes", () => {
    const { peer, outlet, seat: a } = seat();
    const b = new Seat({ outlet, userId: "u1", hooks: NO_HOOKS });
    a.goLive("a");
    b.goLive("b");
    peer.bufferedAmount = LIMIT;
    a.deliver("a-chat");
    expect(peer.closedWith).toBeNull();
    peer.bufferedAmount = LIMIT + 1;
    b.deliver("b-chat");
    expect(peer.closedWith?.code).toBe(CLOSE_CODES.tooSlow.code);
  });

  it("the allowances of joined frames written back to back add up, until the buffer drains below the bound", () => {
    const { peer, outlet, seat: a } = seat();
    const b = new Seat({ outlet, userId: "u1", hooks: NO_HOOKS });
    peer.bufferedAmount = 2 * LIMIT;
    a.goLive("a".repeat(LIMIT));
    b.goLive("b".repeat(2 * LIMIT));
    peer.bufferedAmount = 3 * LIMIT + LIMIT / 2;
    a.deliver("a-chat");
    expect(peer.closedWith).toBeNull();
    peer.bufferedAmount = LIMIT / 2;
    b.deliver("b-chat");
    peer.bufferedAmount = LIMIT + 1;
    a.deliver("a-chat-2");
    expect(peer.closedWith?.code).toBe(CLOSE_CODES.tooSlow.code);
  });

  it("fail sends the error frame, then closes once", () => {
    const { peer, outlet } = seat();
    outlet.fail('{"type":"error"}', CLOSE_CODES.badRequest.code, "bad request");
    outlet.close(CLOSE_CODES.tooSlow.code, "again");
    outlet.write("late");
    expect(peer.sent).toEqual(['{"type":"error"}']);
    expect(peer.closedWith).toEqual({ code: CLOSE_CODES.badRequest.code, reason: "bad request" });
  });
});
