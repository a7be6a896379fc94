import { CLOSE_CODES } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { Seat } from "../../src/chat/connection/seat";
import type { OutboundBatch, Peer } from "../../src/chat/ports";

const LIMIT = 1_000;

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
  return { peer, seat: new Seat({ peer, userId: "u1", slowConsumerBytes: LIMIT }) };
}

describe("Seat", () => {
  it("holds what is fanned out before the welcome and sends it right after, in order; direct replies are not held", () => {
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

  it("allows a big welcome on top of the bound until the buffer first drains below it", () => {
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
});
