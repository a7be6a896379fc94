import { describe, expect, it } from "vitest";
import { type Setup, setup } from "./support/client-setup";
import { alice, bob, carol, chats, joined } from "./support/fakes";
import { SimConnection } from "./support/sim-connection";
import { SimRoom } from "./support/sim-room";

const SERVER = { welcome: 50, resumeMax: 500, pageCap: 100 };

function roomOf(chats: number): SimRoom {
  const room = new SimRoom();
  for (let i = 1; i <= chats; i++) room.append(bob, `b${i}`, { kind: "chat", text: `message ${i}` });
  return room;
}

/** The tab, and a server over `room` that answers only when told (see SimConnection). */
function linked(room: SimRoom, options: { maxMessages?: number } = {}) {
  const t = setup({ name: "alice", ...options });
  const state = { connection: null as SimConnection | null };
  const connect = () => {
    if (t.snap().connection.status === "closed") t.client.start();
    else t.clock.advance(60_000);
    state.connection = new SimConnection(t.sockets.last, room, alice, SERVER);
    t.sockets.last.open();
    state.connection.serve();
    return state.connection;
  };
  return { t, connect, state };
}

/** The chats shown, in order, each once; while apart from the live end, every chat of the room between the first and the last. */
function expectShownWhole(t: Setup, room: SimRoom): number[] {
  const shown = t.chatSeqs();
  // Built from the room, so one comparison says both: in order, each once, none missing in between.
  const expected: number[] = [];
  for (let seq = shown[0] ?? 1; seq <= (shown.at(-1) ?? 0); seq++) if (room.chat(seq)) expected.push(seq);
  if (shown.join() !== expected.join()) expect(shown).toEqual(expected);
  return shown;
}

/** At the live end at last: everything from the oldest chat held up to the room's newest, once each. */
function expectAtLiveEnd(t: Setup, room: SimRoom): void {
  expect(t.snap().detached).toBe(false);
  const shown = t.chatSeqs();
  expect(shown).toEqual(room.chatSeqs.filter((seq) => seq >= (shown[0] as number)));
  expect(shown.at(-1)).toBe(room.head);
}

/** Pages down as a reader scrolling would, while `between` runs after each page (live messages, drops). */
function readDown(t: Setup, room: SimRoom, link: () => SimConnection, between: (page: number) => void = () => {}): number {
  let pages = 0;
  while (t.snap().detached) {
    t.client.loadNewer();
    link().serve();
    expect(t.snap().loadingNewer).toBe(true);
    // Live messages already sent go first, as on a real socket, then the page.
    while (link().deliverLive()) {}
    expect(link().answerHistory()).toBe(true);
    expectShownWhole(t, room);
    between(++pages);
    if (pages > 5_000) throw new Error("the window never met the live end");
  }
  return pages;
}

describe("a link to a message far back", () => {
  it("opens around it apart from the live end, then reads down 100,000 messages to the live stream with no gap and no duplicate, live messages arriving meanwhile", () => {
    const back = 100_000;
    const room = roomOf(back);
    const { t, connect, state } = linked(room);
    const link = () => state.connection as SimConnection;
    connect();
    expect(t.chatSeqs()).toEqual(room.chatSeqs.slice(-50));

    t.client.openMessage("lobby", 40);
    link().serve();
    expect(t.snap().focus).toEqual({ seq: 40, loading: true });
    expect(t.sockets.last.sentOf("history").at(-1)).toEqual({ type: "history", room: "lobby", around: 40, limit: 50 });
    const epoch = t.snap().focusEpoch;
    link().answerHistory();
    expect(t.snap()).toMatchObject({ focus: { seq: 40, loading: false }, detached: true, focusEpoch: epoch, historyEdge: "more" });
    // Only the window is shown: the live end waits below the gap.
    expect(expectShownWhole(t, room)).toEqual(room.chatSeqs.filter((seq) => seq >= 15 && seq <= 64));

    // Someone keeps talking while the reader goes down.
    let said = 0;
    const pages = readDown(t, room, link, (page) => {
      if (page % 50 !== 0) return;
      room.append(carol, `c${++said}`, { kind: "chat", text: `live ${said}` });
      room.append(bob, `e${said}`, { kind: "edit", target: room.head, text: "no: carol's" });
    });
    // Page by page, every event read once: about one page per 100 messages between the link and the present.
    expect(pages * SERVER.pageCap).toBeGreaterThanOrEqual(back - 100);
    expect(said).toBeGreaterThan(10);
    while (link().deliverLive()) {}
    expectAtLiveEnd(t, room);
    // The window kept its newest maxMessages chats as the reader went down.
    expect(t.chatSeqs().length).toBeLessThanOrEqual(2 * 5_000);
    // A thousand pages and 100,000 chats through the client: seconds, more on a busy machine.
  }, 120_000);

  it("survives a reconnect in the middle of reading down: the resume starts at the live end, the page asked for again", () => {
    const room = roomOf(3_000);
    const { t, connect, state } = linked(room);
    const link = () => state.connection as SimConnection;
    connect();
    t.client.openMessage("lobby", 100);
    link().serve();
    link().answerHistory();
    expect(t.snap().detached).toBe(true);
    let drops = 0;
    readDown(t, room, link, (page) => {
      if (page % 7 !== 0 || drops >= 3) return;
      drops++;
      // A page asked for and never answered, live messages sent meanwhile, then the link drops.
      t.client.loadNewer();
      link().serve();
      for (let i = 0; i < 30; i++) room.append(carol, `d${drops}-${i}`, { kind: "chat", text: `while away ${i}` });
      link().socket.drop(1006);
      const resumed = connect();
      // The resume asks for what follows the live end, not the window.
      expect(t.sockets.last.joinOf("lobby")?.since).toBe(room.head - 30);
      resumed.serve();
      expect(t.snap().detached).toBe(true);
      expectShownWhole(t, room);
    });
    expect(drops).toBe(3);
    while (link().deliverLive()) {}
    expectAtLiveEnd(t, room);
  });

  it("asks for a link's page again when the link drops before its answer", () => {
    const room = roomOf(500);
    const { t, connect, state } = linked(room);
    connect();
    t.client.openMessage("lobby", 10);
    state.connection?.serve();
    state.connection?.socket.drop(1006);
    expect(t.snap().focus).toEqual({ seq: 10, loading: true });
    const again = connect();
    // The resume's continuity check goes first (one request in flight), then the link's page.
    again.answerHistory();
    expect(t.sockets.last.sentOf("history").filter((frame) => frame.around === 10)).toHaveLength(1);
    again.answerHistory();
    expect(t.snap()).toMatchObject({ focus: { seq: 10, loading: false }, detached: true });
    expect(t.chatSeqs()[0]).toBe(1);
    expect(t.snap().historyEdge).toBe("start");
  });

  it("jumps to the present: the window goes, the live end shows, and a link to a message held needs no page", () => {
    const room = roomOf(1_000);
    const { t, connect, state } = linked(room);
    connect();
    t.client.openMessage("lobby", 500);
    state.connection?.serve();
    state.connection?.answerHistory();
    room.append(carol, "late", { kind: "chat", text: "meanwhile" });
    state.connection?.deliverLive();
    // The live message is held but not shown while the window is apart.
    expect(t.chatSeqs()).not.toContain(1_001);
    const epoch = t.snap().focusEpoch;
    t.client.jumpToPresent();
    expect(t.snap()).toMatchObject({ detached: false, focus: null, focusEpoch: epoch + 1 });
    expect(t.chatSeqs()).toEqual(room.chatSeqs.slice(-51));

    const sent = t.sockets.last.sentOf("history").length;
    t.client.openMessage("lobby", 990);
    expect(t.snap()).toMatchObject({ focus: { seq: 990, loading: false }, detached: false });
    expect(t.sockets.last.sentOf("history")).toHaveLength(sent);
  });

  it("a link just below what is held joins up with the live end: no window apart", () => {
    const room = roomOf(120);
    const { t, connect, state } = linked(room);
    connect();
    t.client.openMessage("lobby", 60);
    state.connection?.serve();
    state.connection?.answerHistory();
    expect(t.snap().detached).toBe(false);
    expect(t.chatSeqs()).toEqual(room.chatSeqs.filter((seq) => seq >= 35));
  });

  it("marks read only what the window shows, not the live end below it", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ messages: chats(951, 1_000), readSeq: 100, complete: false }));
    t.client.openMessage("lobby", 200);
    expect(socket.sentOf("history").at(-1)).toEqual({ type: "history", room: "lobby", around: 200, limit: 50 });
    socket.receive({ type: "history", room: "lobby", messages: chats(175, 224), hasOlder: true, hasNewer: true });
    expect(t.snap().detached).toBe(true);
    t.client.markRead();
    t.clock.advance(5_000);
    expect(socket.sentOf("read").map((frame) => frame.seq)).toEqual([224]);
    t.client.jumpToPresent();
    t.client.markRead();
    t.clock.advance(5_000);
    expect(socket.sentOf("read").map((frame) => frame.seq)).toEqual([224, 1_000]);
  });
});
