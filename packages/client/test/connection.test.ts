import { describe, expect, it } from "vitest";
import { exponentialBackoff } from "../src/transport/backoff";
import { Connection, OFFLINE_CODE, PONG_TIMEOUT_CODE } from "../src/transport/connection";
import { FakeClock, manualWakeups, socketFactory } from "./support/fakes";

function setup() {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const wakeups = manualWakeups();
  const linkLost = manualWakeups();
  const frames: string[] = [];
  const connection = new Connection({
    url: "ws://test/ws",
    createSocket: sockets.create,
    timers: clock,
    wakeups,
    linkLost,
    probeTimeoutMs: 3_000,
    backoff: exponentialBackoff({ baseMs: 1000, maxMs: 8000, jitter: 0 }),
    onFrame: (frame) => frames.push(frame.type),
  });
  return { clock, sockets, wakeups, linkLost, frames, connection };
}

describe("Connection", () => {
  it("reconnects with backoff after the link drops, to the same bare endpoint each time", () => {
    const { clock, sockets, connection } = setup();
    connection.start();
    sockets.last.open();
    expect(connection.getState().status).toBe("open");

    sockets.last.drop(1006);
    expect(connection.getState()).toMatchObject({ status: "reconnecting", attempt: 1, lastCode: 1006 });
    expect(sockets.sockets).toHaveLength(1);
    clock.advance(999);
    expect(sockets.sockets).toHaveLength(1);
    clock.advance(1);
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.sockets.map((socket) => socket.url)).toEqual(["ws://test/ws", "ws://test/ws"]);

    // The second try fails before opening: the wait doubles.
    sockets.last.drop(1006);
    expect(connection.getState()).toMatchObject({ status: "reconnecting", attempt: 2 });
    clock.advance(1999);
    expect(sockets.sockets).toHaveLength(2);
    clock.advance(1);
    sockets.last.open();
    expect(connection.getState().status).toBe("open");
  });

  it("pings every 25 s and drops and reconnects when no pong comes within 10 s", () => {
    const { clock, sockets, connection } = setup();
    connection.start();
    const first = sockets.last;
    first.open();
    clock.advance(24_999);
    expect(first.sentOf("ping")).toHaveLength(0);
    clock.advance(1);
    expect(first.sentOf("ping")).toHaveLength(1);

    // The pong comes: the link is fine and the next ping follows 25 s later.
    first.receive({ type: "pong", t: clock.now() });
    clock.advance(25_000);
    expect(first.sentOf("ping")).toHaveLength(2);

    // No answer this time.
    clock.advance(9_999);
    expect(connection.getState().status).toBe("open");
    clock.advance(1);
    expect(connection.getState()).toMatchObject({ status: "reconnecting", lastCode: PONG_TIMEOUT_CODE });
    expect(first.closedWith).toBeDefined();
    clock.advance(1000);
    expect(sockets.sockets).toHaveLength(2);
  });

  it("retries at once on a wakeup while waiting to reconnect", () => {
    const { clock, sockets, wakeups, connection } = setup();
    connection.start();
    sockets.last.open();
    sockets.last.drop(1006);
    sockets.last.drop(1006);
    expect(connection.getState().status).toBe("reconnecting");
    wakeups.fire();
    expect(connection.getState().status).toBe("connecting");
    expect(sockets.sockets).toHaveLength(2);
    // The cancelled backoff timer does not open a third socket later.
    clock.advance(60_000);
    expect(sockets.sockets).toHaveLength(2);
  });

  it("on a wakeup while open, pings to check the link, or drops at once if the socket is already dead", () => {
    const { sockets, wakeups, connection } = setup();
    connection.start();
    sockets.last.open();
    wakeups.fire();
    expect(sockets.last.sentOf("ping")).toHaveLength(1);

    sockets.last.readyState = 3;
    wakeups.fire();
    expect(connection.getState()).toMatchObject({ status: "reconnecting", lastCode: 1006 });
  });

  it("stays closed after 4501 and after stop, and ignores late events of a replaced socket", () => {
    const { clock, sockets, connection, frames } = setup();
    connection.start();
    const first = sockets.last;
    first.open();
    first.drop(4501);
    expect(connection.getState()).toEqual({ status: "closed", reason: "rejected", lastCode: 4501 });
    clock.advance(60_000);
    expect(sockets.sockets).toHaveLength(1);

    connection.retryNow();
    sockets.last.open();
    first.receive({ type: "pong" });
    expect(frames).toEqual([]);
    connection.stop();
    expect(sockets.last.closedWith).toBe(1000);
    clock.advance(60_000);
    expect(sockets.sockets).toHaveLength(2);
    expect(clock.timerCount).toBe(0);
  });

  it("sends only while open and passes decoded frames on", () => {
    const { sockets, connection, frames } = setup();
    connection.start();
    expect(connection.send({ type: "ping" })).toBe(false);
    sockets.last.open();
    expect(connection.send({ type: "typing", room: "lobby", active: true })).toBe(true);
    sockets.last.receive({ type: "pong", t: 1 });
    sockets.last.onmessage?.({ data: "not json" });
    expect(frames).toEqual(["pong"]);
  });

  it("a probe pings at once and drops the link if no frame comes within the short deadline", () => {
    const { clock, sockets, connection } = setup();
    connection.start();
    const first = sockets.last;
    first.open();
    clock.advance(5_000);
    connection.probe();
    expect(first.sentOf("ping")).toHaveLength(1);
    // Any frame proves the link: the probe is satisfied and the regular heartbeat goes on.
    first.receive({ type: "pong" });
    clock.advance(3_000);
    expect(connection.getState().status).toBe("open");

    connection.probe();
    expect(first.sentOf("ping")).toHaveLength(2);
    clock.advance(2_999);
    expect(connection.getState().status).toBe("open");
    clock.advance(1);
    expect(connection.getState()).toMatchObject({ status: "reconnecting", lastCode: PONG_TIMEOUT_CODE });
    expect(first.closedWith).toBeDefined();
  });

  it("a probe shortens the wait of a heartbeat ping already in flight, never lengthens it", () => {
    const { clock, sockets, connection } = setup();
    connection.start();
    sockets.last.open();
    clock.advance(25_000);
    expect(sockets.last.sentOf("ping")).toHaveLength(1);
    clock.advance(8_000);
    // 2 s left on the heartbeat's pong deadline: a 3 s probe must not push it out.
    connection.probe();
    clock.advance(2_000);
    expect(connection.getState()).toMatchObject({ status: "reconnecting", lastCode: PONG_TIMEOUT_CODE });
  });

  it("a probe does nothing unless open", () => {
    const { clock, sockets, connection } = setup();
    connection.start();
    connection.probe();
    sockets.last.open();
    expect(sockets.last.sentOf("ping")).toHaveLength(0);
    clock.advance(10_000);
    expect(connection.getState().status).toBe("open");
  });

  it("going offline drops an open or opening socket at once, and coming back online retries at once", () => {
    const { clock, sockets, wakeups, linkLost, connection } = setup();
    connection.start();
    const first = sockets.last;
    first.open();
    linkLost.fire();
    expect(connection.getState()).toMatchObject({ status: "reconnecting", lastCode: OFFLINE_CODE });
    expect(first.closedWith).toBeDefined();
    // Offline while already waiting: nothing more to do.
    linkLost.fire();
    expect(connection.getState()).toMatchObject({ status: "reconnecting", attempt: 1 });

    wakeups.fire();
    expect(connection.getState().status).toBe("connecting");
    expect(sockets.sockets).toHaveLength(2);
    linkLost.fire();
    expect(connection.getState()).toMatchObject({ status: "reconnecting", attempt: 2, lastCode: OFFLINE_CODE });
    // A retry that fails while still offline is still "offline", not a bare 1006.
    clock.advance(2_000);
    sockets.last.drop(1006);
    expect(connection.getState()).toMatchObject({ status: "reconnecting", attempt: 3, lastCode: OFFLINE_CODE });
    clock.advance(4_000);
    sockets.last.open();
    expect(connection.getState().status).toBe("open");
    // Once a socket opened, the browser is online again: a later drop reports its own code.
    sockets.last.drop(1006);
    expect(connection.getState()).toMatchObject({ status: "reconnecting", lastCode: 1006 });

    connection.stop();
    linkLost.fire();
    expect(connection.getState()).toEqual({ status: "closed", reason: "stopped" });
  });
});
