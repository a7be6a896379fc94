import type { JoinedFrame, ReadyFrame } from "@chatroom/protocol";
import { ChatClient } from "../../src/chat-client";
import type { PageVisibility } from "../../src/options";
import { CredentialStore } from "../../src/persistence/credentials";
import { ClientStorage, type KeyValueStore, memoryStore } from "../../src/persistence/storage";
import { exponentialBackoff } from "../../src/transport/backoff";
import { chat, FakeClock, type FakeSocket, joined, manualWakeups, ready, socketFactory } from "./fakes";

export interface SetupOptions {
  tab?: KeyValueStore;
  browser?: KeyValueStore;
  name?: string;
  initialRoom?: string;
  maxMessages?: number;
  clock?: FakeClock;
  visibility?: PageVisibility;
  /** The browser-wide store the credentials live in (share one between two setups to play two tabs). */
  shared?: KeyValueStore;
  getToken?: () => Promise<string>;
}

/** A ChatClient over fake sockets, timers and storage, with helpers that play the server's side. */
export function setup(options: SetupOptions = {}) {
  const clock = options.clock ?? new FakeClock();
  const sockets = socketFactory();
  const wakeups = manualWakeups();
  const linkLost = manualWakeups();
  const tab = options.tab ?? memoryStore();
  const browser = options.browser ?? memoryStore();
  const shared = options.shared ?? memoryStore();
  const credentials = new CredentialStore(shared);
  const client = new ChatClient({
    endpoint: "ws://test/ws",
    ...(options.name ? { name: options.name } : {}),
    ...(options.initialRoom ? { initialRoom: options.initialRoom } : {}),
    storage: new ClientStorage(tab, browser),
    createSocket: sockets.create,
    timers: clock,
    wakeups,
    linkLost,
    backoff: exponentialBackoff({ baseMs: 1000, maxMs: 8000, jitter: 0 }),
    ackTimeoutMs: 15_000,
    probeTimeoutMs: 3_000,
    ...(options.maxMessages ? { maxMessages: options.maxMessages } : {}),
    ...(options.visibility ? { visibility: options.visibility } : {}),
    credentials,
    ...(options.getToken ? { getToken: options.getToken } : {}),
  });
  const snap = () => client.getSnapshot();
  const chatSeqs = () => snap().items.flatMap((item) => (item.type === "chat" ? [item.message.seq] : []));
  const events = () => snap().items.flatMap((item) => (item.type === "event" ? [item.entry.event.kind] : []));
  /**
   * Starts (or lets the backoff elapse), opens the socket, answers its `hello` with `readyFrame`
   * and then delivers `frame` as its room's `joined`; nothing more.
   */
  const connectHeld = (frame: JoinedFrame = joined(), readyFrame: ReadyFrame = ready()): FakeSocket => {
    if (client.getSnapshot().connection.status === "closed") client.start();
    else clock.advance(60_000);
    const socket = sockets.last;
    socket.open();
    socket.receive(readyFrame);
    socket.receive(frame);
    return socket;
  };
  /**
   * `connectHeld`, then the server of an unchanged store answers a resume's continuity check (the
   * one `history {room, before: since + 1, limit: 1}`) with the same message the tab holds there
   * (fakes name message ids by seq). The check is taken off the socket's record, so tests read only
   * the traffic they are about; the continuity tests look at it with `connectHeld`.
   */
  const connect = (frame: JoinedFrame = joined(), readyFrame: ReadyFrame = ready()): FakeSocket => {
    const socket = connectHeld(frame, readyFrame);
    answerContinuity(socket, frame.room);
    return socket;
  };
  /** Answers `room`'s continuity check on `socket`, if one was asked, as an unchanged store would. */
  const answerContinuity = (socket: FakeSocket, room = "lobby"): void => {
    const since = socket.joinOf(room)?.since ?? 0;
    const check = socket.sent.findIndex(
      (sent) => sent.type === "history" && sent.room === room && sent.before === since + 1 && sent.limit === 1,
    );
    if (since > 0 && check >= 0) {
      socket.sent.splice(check, 1);
      socket.receive({ type: "history", room, messages: [chat(since, undefined, undefined, undefined, room)], hasOlder: since > 1 });
    }
  };
  return {
    clock,
    sockets,
    wakeups,
    linkLost,
    tab,
    browser,
    shared,
    credentials,
    client,
    snap,
    chatSeqs,
    events,
    connect,
    connectHeld,
    answerContinuity,
  };
}

export type Setup = ReturnType<typeof setup>;
