import { connect, type Socket } from "node:net";
import { CLOSE_CODES, type ServerFrameOf } from "@chatroom/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { type StartedServer, startServer } from "../support/start-server";
import { type TempDir, tempDir } from "../support/temp-dir";
import { type JoinOptions, TestClient } from "../support/test-client";
import { type Bystander, expectBystanderUnharmed, joinBystander } from "./support/bystander";
import { FaultyBackend, sqliteError } from "./support/faulty-backend";
import { frame, OPCODE, RawSocket } from "./support/raw-socket";

const ROOM = "faults";
/** Words that would mean an exception's text reached a client. */
const LEAKS = /SQLITE|disk|\/var\/lib|injected|TypeError|RangeError|at \w+ \(|\.ts:\d+/;

type Joined = Awaited<ReturnType<typeof TestClient.join>>;

describe("faults", () => {
  let server: StartedServer | undefined;
  let bystander: Bystander | undefined;
  let dir: TempDir | undefined;
  const clients: TestClient[] = [];

  async function start(env: Record<string, string> = {}, backend?: Backend) {
    server = await startServer(env, backend ? { backend } : {});
    bystander = await joinBystander(server.wsUrl, ROOM);
    return { server, bystander };
  }
  async function join(name: string, options: JoinOptions = {}): Promise<Joined> {
    if (!server) throw new Error("no server");
    const client = await TestClient.join(server.wsUrl, { room: ROOM, name, ...options });
    clients.push(client);
    return client;
  }
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await bystander?.close();
    await server?.close();
    dir?.remove();
    dir = undefined;
  });

  it("a never-reading consumer is closed with 4008, memory stays bounded, and it resumes with no gap", async () => {
    const slowBytes = 256 * 1024;
    const { server, bystander } = await start({
      SLOW_CONSUMER_BYTES: String(slowBytes),
      RATE_BURST: "100000",
      RATE_PER_SECOND: "100000",
      WELCOME_SINCE_MAX: "100000",
    });
    const talker = await join("talker");
    const slow = await join("slow");
    const rssBefore = process.memoryUsage().rss;
    (slow.socket as unknown as { _socket: Socket })._socket.pause();

    // 2,000 three-byte characters: about 6 KB per frame, fanned out to all three members.
    const text = "中".repeat(server.config.limits.maxTextLength);
    let sent = 0;
    let maxBuffered = 0;
    while ((await server.metric("chat_slow_consumer_drops_total")) === 0) {
      expect(sent).toBeLessThan(5_000);
      const last = `t${sent + 49}`;
      for (let i = 0; i < 50; i++) talker.chat(ROOM, text, `t${sent++}`);
      await talker.waitFor((f) => f.type === "ack" && f.clientMsgId === last, { timeoutMs: 10_000 });
      for (const socket of server.app.websocketServer.clients) maxBuffered = Math.max(maxBuffered, socket.bufferedAmount);
    }
    // Never more than the threshold plus the frame that crossed it and the close frame.
    expect(maxBuffered).toBeLessThan(slowBytes + 64 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    expect(await server.metric('chat_server_closes_total{code="4008"}')).toBe(1);

    // The tab wakes up: it reads what reached it, sees the connection gone, and resumes.
    (slow.socket as unknown as { _socket: Socket })._socket.resume();
    const closed = await slow.waitForClose(10_000);
    // The close frame sits behind the unread backlog; if the server gave up waiting first the
    // client sees the TCP close (1006) instead. Either way the server dropped it with 4008.
    expect([CLOSE_CODES.tooSlow.code, 1006]).toContain(closed.code);
    const seen = slow.chatFrames().map((chat) => chat.seq);
    const since = Math.max(...seen);
    expect(since).toBeLessThan(sent + 1);
    const resumed = await join("slow", { session: slow.ready.session, since });
    expect(resumed.joined.you).toEqual(slow.joined.you);
    const latest = resumed.joined.latestSeq;
    expect(latest).toBe(sent);
    expect(resumed.joined.complete).toBe(true);
    const all = [...new Set([...seen, ...resumed.chatFrames().map((chat) => chat.seq)])].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    await expectBystanderUnharmed(bystander);
  });

  it("a client destroyed mid-write (half a frame, half a handshake, mid fan-out) harms no one", async () => {
    const { server, bystander } = await start({ RATE_BURST: "1000", RATE_PER_SECOND: "1000" });
    // Half a frame: the header promises 1,000 bytes, ten arrive, then the socket is gone.
    const raw = await RawSocket.joined(server.port, ROOM);
    const half = frame({ opcode: OPCODE.text, payload: "x".repeat(1_000) }).subarray(0, 18);
    await raw.write(half);
    raw.destroy();
    // Half a handshake.
    const socket = connect(server.port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConn");
    socket.destroy();
    // Mid fan-out: a reader vanishes while a burst is being written to it.
    const talker = await join("talker");
    const victim = await TestClient.join(server.wsUrl, { room: ROOM, name: "victim" });
    victim.socket.on("message", () => {
      if (victim.ofType("chat").length === 5) victim.socket.terminate();
    });
    const text = "y".repeat(1_500);
    for (let i = 0; i < 200; i++) talker.chat(ROOM, text, `burst-${i}`);
    await talker.waitFor((f) => f.type === "ack" && f.clientMsgId === "burst-199");
    await victim.closed;
    // Only the bystander and the talker remain.
    await server.waitForConnections(2);
    expect(talker.ofType("error")).toEqual([]);
    await expectBystanderUnharmed(bystander);
  });

  it("a handler that throws answers server_error (or 1011) without the exception's text, and the process stays up", async () => {
    const backend = new FaultyBackend(new MemoryBackend({ nodeId: "faulty" }));
    const { server, bystander } = await start({}, backend);
    const victim = await join("victim");

    for (const [fault, request] of [
      ["before", { type: "history", room: ROOM, before: 10, limit: 10 }],
      ["after", { type: "history", room: ROOM, after: 0, limit: 10 }],
    ] as const) {
      backend.throwSync.add(fault);
      const from = victim.frames.length;
      victim.send(request);
      const historyError = await victim.waitForType("error", { from });
      expect(historyError).toMatchObject({ code: "server_error", room: ROOM });
      expect(historyError.message).not.toMatch(LEAKS);
      backend.throwSync.delete(fault);
    }

    backend.throwSync.add("saveSession");
    let from = victim.frames.length;
    victim.send({ type: "rename", name: "renamed-victim" });
    const renameError = await victim.waitForType("error", { from });
    expect(renameError.code).toBe("server_error");
    expect(renameError.message).not.toMatch(LEAKS);
    backend.throwSync.delete("saveSession");
    expect(victim.isOpen).toBe(true);

    // A hello whose session write throws: told to retry later and closed with 1011, never ready.
    backend.throwSync.add("saveSession");
    const greeter = await TestClient.connect(server.wsUrl);
    clients.push(greeter);
    greeter.send({ type: "hello", protocol: 2, name: "greeter" });
    const helloError = await greeter.waitForType("error");
    expect(helloError.code).toBe("server_error");
    expect(helloError.message).not.toMatch(LEAKS);
    expect((await greeter.waitForClose()).code).toBe(CLOSE_CODES.internalError.code);
    expect(greeter.ofType("ready")).toEqual([]);
    backend.throwSync.delete("saveSession");

    // A join whose history read or membership write throws: that room's join is refused with
    // server_error (retry later); the connection and its other rooms carry on.
    const newcomer = await join("newcomer", { room: "newcomer-home" });
    for (const fault of ["range", "joinMembership"] as const) {
      backend.throwSync.add(fault);
      from = newcomer.frames.length;
      newcomer.send({ type: "join", room: ROOM });
      const joinError = await newcomer.waitForType("error", { from });
      expect(joinError).toMatchObject({ code: "server_error", room: ROOM });
      expect(joinError.message).not.toMatch(LEAKS);
      backend.throwSync.delete(fault);
      expect(newcomer.ofType("joined").map((joined) => joined.room)).toEqual(["newcomer-home"]);
    }
    // The retry works, and the room counts the newcomer once.
    const joined = await newcomer.join(ROOM);
    expect(joined.members.filter((member) => member.id === newcomer.ready.you.id)).toHaveLength(1);

    // A read marker whose write throws is refused with server_error for that room.
    backend.throwSync.add("markRead");
    from = newcomer.frames.length;
    newcomer.send({ type: "read", room: ROOM, seq: 0 });
    const readError = await newcomer.waitForType("error", { from });
    expect(readError).toMatchObject({ code: "server_error", room: ROOM });
    expect(readError.message).not.toMatch(LEAKS);
    backend.throwSync.delete("markRead");
    newcomer.send({ type: "ping", t: 1 });
    await newcomer.waitForType("pong");

    // A synchronous throw that escapes the chat layer entirely is contained by the socket glue.
    const metrics = server.app.chatMetrics;
    const frameIn = metrics.frameIn;
    metrics.frameIn = () => {
      throw new Error("injected: metrics exploded");
    };
    victim.send({ type: "ping" });
    const close = await victim.waitForClose();
    metrics.frameIn = frameIn;
    expect(close.code).toBe(CLOSE_CODES.internalError.code);
    expect(close.reason).not.toMatch(LEAKS);
    expect(
      victim
        .ofType("error")
        .map((e) => e.message)
        .join(" "),
    ).not.toMatch(LEAKS);

    await expectBystanderUnharmed(bystander);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("an unwritable store gives server_error and no ack, and the resend after recovery is acked once", async () => {
    dir = tempDir();
    const backend = new FaultyBackend(SqliteBackend.open({ nodeId: "disk", dataDir: dir.path }));
    const { server, bystander } = await start({ HISTORY: "sqlite", DATA_DIR: dir.path }, backend);
    const writer = await join("writer");

    for (const code of ["SQLITE_FULL", "SQLITE_BUSY", "SQLITE_READONLY"] as const) {
      backend.appendFault = sqliteError(code);
      const from = writer.frames.length;
      writer.chat(ROOM, "will this survive?", "outbox-1");
      const error = await writer.waitForType("error", { from });
      expect(error).toMatchObject({ code: "server_error", room: ROOM, clientMsgId: "outbox-1" });
      expect(error.message).not.toMatch(LEAKS);
    }
    expect(writer.ofType("ack")).toEqual([]);
    expect(await server.app.backend.messages.latestSeq(ROOM)).toBe(0);

    backend.appendFault = null;
    writer.chat(ROOM, "will this survive?", "outbox-1");
    const ack = await writer.waitFor((f): f is ServerFrameOf<"ack"> => f.type === "ack" && f.clientMsgId === "outbox-1");
    // A second resend (the ack was lost, say) is deduplicated: same seq, no second fan-out.
    const from = writer.frames.length;
    writer.chat(ROOM, "will this survive?", "outbox-1");
    const again = await writer.waitFor((f): f is ServerFrameOf<"ack"> => f.type === "ack", { from });
    expect(again.seq).toBe(ack.seq);
    await expectBystanderUnharmed(bystander);
    expect(bystander.ofType("chat").filter((c) => c.clientMsgId === "outbox-1")).toHaveLength(1);
  });
});
