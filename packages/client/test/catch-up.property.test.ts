import type { ChatFrame, User } from "@chatroom/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkProperty } from "../../protocol/test/check-property";
import { memoryStore } from "../src/persistence/storage";
import type { RoomSet } from "../src/rooms/room-set";
import { type Setup, setup } from "./support/client-setup";
import { alice, bob, carol, FakeClock } from "./support/fakes";
import { SimConnection } from "./support/sim-connection";
import { type SimRequest, SimRoom } from "./support/sim-room";

const dave: User = { id: "u-dave", name: "dave" };
const OTHERS = [bob, carol, dave];
const EMOJI = ["👍", "🎉", "😂", "🔥"];
/** Small pages, a small welcome and a small cap on the log, so a short history exercises paging, gaps and trimming. */
const SERVER = { welcome: 3, resumeMax: 3, pageCap: 4 };
const MAX_MESSAGES = 25;

/**
 * One step of the schedule. `pick` and `value` choose among what exists when the step runs, so
 * fast-check can shrink a schedule without making its steps meaningless.
 */
type Step = { kind: StepKind; pick: number; value: number; flag: boolean };
const STEP_KINDS = [
  "others-change",
  "others-change",
  "others-change",
  "live",
  "live",
  "live",
  "history",
  "history",
  "reply",
  "own-change",
  "load-older",
  "reveal",
  "drop",
  "reconnect",
  "reload",
  "clear",
  "foreign-event",
  "open-link",
  "open-link",
  "load-newer",
  "load-newer",
  "load-newer",
  "history",
  "jump-present",
] as const;
type StepKind = (typeof STEP_KINDS)[number];

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(...STEP_KINDS),
  pick: fc.nat(),
  value: fc.nat(),
  flag: fc.boolean(),
});

/** A change someone else makes: chats, replies, edits and deletes of their own chats, reactions. */
function othersRequest(room: SimRoom, step: Step): { from: User; request: SimRequest } {
  const from = OTHERS[step.pick % OTHERS.length] as User;
  const seqs = room.chatSeqs;
  const target = seqs.length > 0 ? (seqs[step.value % seqs.length] as number) : undefined;
  const kind = target === undefined ? 0 : step.value % 7;
  if (kind <= 1 || target === undefined) return { from, request: { kind: "chat", text: `${from.name} says ${room.head + 1}` } };
  if (kind === 2) return { from, request: { kind: "chat", text: `re ${target}: ${room.head + 1}`, replyTo: target } };
  const chat = room.chat(target);
  // Edits and deletes come from the author, or they would only be refused.
  const author = chat?.from ?? from;
  if (kind === 3) return { from: author, request: { kind: "edit", target, text: `edited ${target} at ${room.head + 1}` } };
  if (kind === 4 && step.flag) return { from: author, request: { kind: "delete", target } };
  return { from, request: { kind: "react", target, emoji: EMOJI[step.pick % EMOJI.length] as string, on: step.flag || kind === 5 } };
}

/** The tab under test, a user of the room too: it talks, replies, edits, deletes and reacts through the client's commands. */
function ownChange(t: Setup, room: SimRoom, step: Step): void {
  const seqs = room.chatSeqs;
  // Any seq up to a little past the head: change events' and unknown seqs are refused (not_found).
  const target = (step.value % (room.head + 2)) + 1;
  const mine = seqs.filter((seq) => room.chat(seq)?.from.id === alice.id);
  const own = mine.length > 0 ? (mine[step.pick % mine.length] as number) : target;
  switch (step.pick % 6) {
    case 0:
      t.client.send(`alice ${step.value}`);
      break;
    case 1:
      t.client.send(`alice answers ${target}`, { replyTo: target });
      break;
    case 2:
      t.client.edit(step.flag ? own : target, `alice fixed ${step.value}`);
      break;
    case 3:
      t.client.remove(step.flag ? own : target);
      break;
    default:
      t.client.react(target, EMOJI[step.value % EMOJI.length] as string, step.flag);
  }
}

/** A chat as compared, keys sorted at every depth: `rev` is the chat's own seq when absent (a live chat no event has changed). */
function canonical(chat: ChatFrame): string {
  return JSON.stringify(sortedKeys({ ...chat, rev: chat.rev ?? chat.seq }));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, inner]) => [key, sortedKeys(inner)]),
  );
}

/**
 * What the page shows is never out of order or twice, and a link's window, while apart from the
 * live end, holds every chat of the room between its first and last row: no gap inside it.
 */
function expectWindowWhole(t: Setup, room: SimRoom): void {
  const shown = t.chatSeqs();
  for (let i = 1; i < shown.length; i++) expect(shown[i]).toBeGreaterThan(shown[i - 1] as number);
  if (!t.snap().detached || shown.length === 0) return;
  const [first, last] = [shown[0] as number, shown.at(-1) as number];
  expect(shown).toEqual(room.chatSeqs.filter((seq) => seq >= first && seq <= last));
}

function run(history: Step[], schedule: Step[]): void {
  const room = new SimRoom();
  for (const step of history) {
    const { from, request } = othersRequest(room, step);
    room.append(from, `h${room.head}-${step.pick}`, request);
  }
  const clock = new FakeClock();
  const tab = memoryStore();
  const browser = memoryStore();
  let t = setup({ clock, tab, browser, name: "alice", maxMessages: MAX_MESSAGES });
  let connection: SimConnection | null = null;
  let othersCount = 0;

  const connect = () => {
    if (t.snap().connection.status === "closed") t.client.start();
    else clock.advance(60_000);
    const socket = t.sockets.last;
    socket.open();
    connection = new SimConnection(socket, room, alice, SERVER);
    connection.serve();
  };
  connect();

  for (const step of schedule) {
    const link = connection as SimConnection | null;
    switch (step.kind) {
      case "others-change": {
        const { from, request } = othersRequest(room, step);
        room.append(from, `o${othersCount++}`, request);
        break;
      }
      case "live":
        link?.deliverLive();
        break;
      case "history":
        link?.answerHistory();
        break;
      case "reply":
        link?.deliverReply();
        break;
      case "own-change":
        ownChange(t, room, step);
        link?.serve();
        break;
      case "load-older":
        t.client.loadOlder();
        link?.serve();
        break;
      case "reveal":
        // Paging back for a quote is one more source of pages; its answers are checked in reveal tests.
        void t.client.reveal((step.value % Math.max(1, room.head)) + 1);
        link?.serve();
        break;
      case "drop":
        if (link) {
          link.socket.drop(1006);
          connection = null;
        }
        break;
      case "reconnect":
        if (!link) connect();
        break;
      case "clear":
        // Hidden for good: from then on the tab holds only what came after.
        t.client.clear();
        break;
      case "foreign-event":
        room.appendForeign();
        break;
      case "open-link":
        // A link to any seq (a chat, a change, one past the head): loaded around it, apart from the live end.
        t.client.openMessage("lobby", (step.value % (room.head + 2)) + 1);
        link?.serve();
        break;
      case "load-newer":
        t.client.loadNewer();
        link?.serve();
        break;
      case "jump-present":
        t.client.jumpToPresent();
        link?.serve();
        break;
      case "reload":
        // What the tab saved is all the next one has: the resume starts from its saved coverage.
        t.client.flushStorage();
        t.client.stop();
        t = setup({ clock, tab, browser, name: "alice", maxMessages: MAX_MESSAGES });
        connect();
        break;
    }
    expectWindowWhole(t, room);
  }

  // Back online, then everything in flight arrives: live events, pages, acks; pages ask for more.
  if (!connection) connect();
  const link = connection as unknown as SimConnection;
  // A link's window is read down to the live end, page by page, as a reader scrolling would.
  for (let rounds = 0; rounds < 10_000 && !(link.idle && !t.snap().detached); rounds++) {
    if (link.idle) {
      t.client.loadNewer();
      link.serve();
      expectWindowWhole(t, room);
    } else if (!link.deliverLive() && !link.answerHistory()) link.deliverReply();
  }
  expect(link.idle).toBe(true);
  expect(t.snap().detached).toBe(false);

  // Every chat the tab holds, from its oldest up to the room's newest, is there and stands as the room's does.
  const held = t.chatSeqs();
  const oldest = held[0] ?? room.head + 1;
  const expected = room.chatSeqs.filter((seq) => seq >= oldest);
  expect(held).toEqual(expected);
  const chats = t.snap().items.flatMap((item) => (item.type === "chat" ? [item.message] : []));
  // One line per chat, so a failure shows the chat that differs.
  expect(chats.map(canonical).join("\n")).toBe(expected.map((seq) => canonical(room.asItStands(seq))).join("\n"));
  // The catch-up reached the live end: with the list above, the room's newest chat is held,
  // unless Clear hid it (the tab then holds only what came after its cleared point).
  const cleared = (t.client as unknown as { rooms: RoomSet }).rooms.active.history.clearedThroughSeq;
  if (room.chatSeqs.some((seq) => seq > cleared)) expect(held.length).toBeGreaterThan(0);
  expect(held.every((seq) => seq > cleared)).toBe(true);
  // Nothing is left on its way: what was accepted is settled, only refusals stay (for the user to see).
  for (const entry of t.snap().outbox) {
    expect(entry.status).toBe("failed");
    expect(["not_found", "forbidden", "gone"]).toContain(entry.failureCode);
  }
  t.client.stop();
}

describe("catch-up converges on the room's state", () => {
  it("any interleaving of live events, resumes from any since, reloads and history pages ends where the room stands", () => {
    checkProperty(
      fc.property(
        fc.array(stepArbitrary, { maxLength: 60, size: "max" }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 150, size: "max" }),
        (history, schedule) => run(history, schedule),
      ),
      { numRuns: 150 },
    );
    // 150 runs of a few hundred frames each take seconds, more on a busy machine (and shrinking a failure, minutes).
  }, 180_000);
});
