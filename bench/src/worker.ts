/**
 * One load-generator process. It owns a slice of the clients, sends at the rate the parent asks
 * for, and measures send→receipt latency for every chat it receives (senders and receivers may
 * live in different workers: they share the machine's wall clock).
 */
import { type BenchClient, connectClient } from "./adapters";
import { Histogram, wallMs } from "./histogram";
import {
  type ClientSpec,
  MIX_PATTERN,
  type MixCounts,
  type ServerKind,
  type WorkerCommand,
  type WorkerEvent,
  type WorkerStats,
} from "./messages";

const send = (event: WorkerEvent) => process.send?.(event);
const workerId = Number(process.env.BENCH_WORKER_ID ?? 0);

const clients: BenchClient[] = [];
let measureTag = -1;
let latency = new Histogram();
let ackLatency = new Histogram();
let received = 0;
let receivedEdits = 0;
let receivedReactions = 0;
let acks = 0;
let errors = 0;
let errorSamples: string[] = [];
let systemFrames = 0;
let systemBytes = 0;
let otherFrames = 0;
let closed = 0;
/** Measured chats per client index, reset with the other counters. */
let perClient: number[] = [];
let shuttingDown = false;
/** clientMsgId → send time, for ack latency in the inbound scenario. */
const pendingAcks = new Map<string, number>();
let onAck: ((client: number) => void) | null = null;

function noteError(detail: string): void {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(detail);
}

/**
 * Reads `~T<ms>~<tag>~` from a received chat (or edit event) without decoding the frame around
 * it; true when it was a measured one.
 */
function recordChat(data: Buffer | string, client: number): boolean {
  const now = wallMs();
  const start = data.indexOf("~T");
  if (start < 0) return false;
  const mid = data.indexOf("~", start + 2);
  const end = data.indexOf("~", mid + 1);
  if (mid < 0 || end < 0) return false;
  const tag = Number(typeof data === "string" ? data.slice(mid + 1, end) : data.toString("latin1", mid + 1, end));
  if (tag !== measureTag) return false;
  const sentAt = Number(typeof data === "string" ? data.slice(start + 2, mid) : data.toString("latin1", start + 2, mid));
  received++;
  perClient[client] = (perClient[client] ?? 0) + 1;
  latency.recordMs(now - sentAt);
  return true;
}

const CLIENT_MSG_ID = '"clientMsgId":"';

/** A reaction's clientMsgId is `R<tag>T<send time in µs>n<unique>`: it carries the stamp a chat's text does. */
function reactionId(tag: number, unique: number | string): string {
  return `R${tag}T${Math.round(wallMs() * 1000)}n${workerId}x${unique}`;
}

function recordReaction(data: Buffer, client: number): void {
  const now = wallMs();
  const at = data.lastIndexOf(CLIENT_MSG_ID);
  if (at < 0) return;
  const start = at + CLIENT_MSG_ID.length;
  if (data[start] !== 0x52 /* R */) return;
  const t = data.indexOf(0x54 /* T */, start);
  const n = data.indexOf(0x6e /* n */, t);
  if (t < 0 || n < 0) return;
  if (Number(data.toString("latin1", start + 1, t)) !== measureTag) return;
  const sentAt = Number(data.toString("latin1", t + 1, n)) / 1000;
  received++;
  receivedReactions++;
  perClient[client] = (perClient[client] ?? 0) + 1;
  latency.recordMs(now - sentAt);
}

/** The `seq` of a chat frame, read without decoding it (our server writes `type`, `room`, then `seq`). */
function seqOf(data: Buffer): number {
  const at = data.indexOf('"seq":', 9);
  if (at < 0) return 0;
  let seq = 0;
  for (let i = at + 6; i < data.length; i++) {
    const digit = (data[i] as number) - 0x30;
    if (digit < 0 || digit > 9) break;
    seq = seq * 10 + digit;
  }
  return seq;
}

/** Seeded per worker, so that runs pick their reaction targets, emoji and edit targets the same way. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(0x5eed + workerId);

const EMOJI = ["👍", "🎉", "😂", "🚀"];
/** Chats of the room a sender remembers (the newest seen), to react to. */
const RECENT_CHATS = 32;
/** Its own chats it remembers, to edit. */
const RECENT_OWN = 8;
/** Its reactions that are on, the newest kept, to take back. */
const RECENT_ON = 16;

/**
 * What one sender of a mixed run knows: the room's recent chats (seqs it received), its own
 * recent chats (seqs its acks named; only the author may edit) and which of its reactions are on,
 * so that every reaction it sends changes something (a no-op reaction would not be an event).
 */
class MixSender {
  readonly seen: number[] = [];
  readonly own: number[] = [];
  /** `seq emoji` → on, for this sender's reactions that are on. */
  readonly on = new Map<string, { seq: number; emoji: string }>();
  private count = 0;

  constructor(private readonly phase: number) {}

  noteSeen(seq: number): void {
    if (seq <= 0) return;
    this.seen.push(seq);
    if (this.seen.length > RECENT_CHATS) this.seen.shift();
  }

  noteOwn(seq: number): void {
    this.own.push(seq);
    if (this.own.length > RECENT_OWN) this.own.shift();
  }

  get primed(): boolean {
    return this.seen.length > 0 && this.own.length > 0;
  }

  nextKind(): (typeof MIX_PATTERN)[number] {
    return MIX_PATTERN[(this.phase + this.count++) % MIX_PATTERN.length] as (typeof MIX_PATTERN)[number];
  }

  /**
   * A reaction that toggles: about a third take back one of this sender's reactions that are on;
   * the rest set an emoji on a random recent chat, or clear it if it is already on.
   */
  nextReaction(): { target: number; emoji: string; on: boolean } | undefined {
    if (this.seen.length === 0) return undefined;
    // Taking one back does not depend on the rate: at 1,000 clients a sender reacts every few
    // seconds, long after its last target left the recent chats.
    if (this.on.size > 0 && random() < 1 / 3) {
      const entries = [...this.on.values()];
      const pick = entries[Math.floor(random() * entries.length)] as { seq: number; emoji: string };
      this.on.delete(`${pick.seq} ${pick.emoji}`);
      return { target: pick.seq, emoji: pick.emoji, on: false };
    }
    const target = this.seen[Math.floor(random() * this.seen.length)] as number;
    const emoji = EMOJI[Math.floor(random() * EMOJI.length)] as string;
    const key = `${target} ${emoji}`;
    if (this.on.delete(key)) return { target, emoji, on: false };
    this.on.set(key, { seq: target, emoji });
    // The oldest beyond RECENT_ON stays on (on the server too); it is just never taken back.
    if (this.on.size > RECENT_ON) this.on.delete(this.on.keys().next().value as string);
    return { target, emoji, on: true };
  }

  nextEditTarget(): number | undefined {
    if (this.own.length === 0) return undefined;
    return this.own[Math.floor(random() * this.own.length)];
  }
}

/** Mixed runs: the state of each sender, by client index (empty otherwise). */
const mixSenders: Array<MixSender | undefined> = [];

function stamp(tag: number, pad: string): string {
  return `~T${wallMs().toFixed(3)}~${tag}~${pad}`;
}

async function connectAll(kind: ServerKind, port: number, specs: ClientSpec[], perSecond: number, concurrency: number, timeoutMs: number) {
  const started = wallMs();
  const deadline = started + timeoutMs;
  let ok = 0;
  let failed = 0;
  let welcomes = 0;
  let inFlight = 0;
  const samples: string[] = [];
  const settle = new Set<number>();
  // A worker may be asked to connect more than once (to several nodes): count only this call's clients.
  const before = clients.length;
  for (let i = 0; i < specs.length; i++) {
    if (wallMs() > deadline) {
      failed += specs.length - i;
      break;
    }
    // Pace: i connections may have started by now.
    const due = started + (i / perSecond) * 1000;
    while (wallMs() < due || inFlight >= concurrency) {
      if (wallMs() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const index = clients.length;
    inFlight++;
    let welcomed = false;
    const done = () => {
      if (settle.has(index)) return;
      settle.add(index);
      inFlight--;
    };
    const spec = specs[i] as ClientSpec;
    clients.push(
      connectClient(kind, port, spec, {
        welcome() {
          if (welcomed) return;
          welcomed = true;
          welcomes++;
          ok++;
          done();
        },
        chat(data) {
          recordChat(data, index);
          if (typeof data !== "string") mixSenders[index]?.noteSeen(seqOf(data));
        },
        edit(data) {
          if (recordChat(data, index)) receivedEdits++;
        },
        reaction: (data) => recordReaction(data, index),
        ack(clientMsgId, seq) {
          // Chats' clientMsgIds start with "w": an ack for one names one of this sender's own chats.
          if (clientMsgId.charCodeAt(0) === 0x77) mixSenders[index]?.noteOwn(seq);
          const sentAt = pendingAcks.get(clientMsgId);
          if (sentAt === undefined) return;
          pendingAcks.delete(clientMsgId);
          acks++;
          ackLatency.recordMs(wallMs() - sentAt);
          onAck?.(index);
        },
        system(bytes) {
          systemFrames++;
          systemBytes += bytes;
        },
        other() {
          otherFrames++;
        },
        error(detail) {
          noteError(detail);
          if (samples.length < 5) samples.push(detail);
          if (!welcomed && !settle.has(index)) {
            failed++;
            done();
          }
        },
        closed() {
          if (shuttingDown) return;
          closed++;
          if (!welcomed && !settle.has(index)) {
            failed++;
            done();
          }
        },
      }),
    );
  }
  while (settle.size < clients.length - before && wallMs() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  failed += clients.length - before - settle.size;
  send({ ev: "connected", ok, failed, welcomes, elapsedMs: wallMs() - started, errorSamples: samples });
}

async function run(command: Extract<WorkerCommand, { cmd: "run" }>) {
  measureTag = command.tag;
  const pad = "x".repeat(command.textPad);
  const senders = command.senders.filter((i) => clients[i] !== undefined);
  const mixed = command.mixed === true;
  let next = 0;
  let mix: MixCounts = { chats: 0, reactionsOn: 0, reactionsOff: 0, edits: 0, fallbacks: 0 };
  const sendPhase = async (tag: number, ms: number) => {
    let sent = 0;
    mix = { chats: 0, reactionsOn: 0, reactionsOff: 0, edits: 0, fallbacks: 0 };
    if (senders.length === 0 || command.rate <= 0) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 0;
    }
    const started = wallMs();
    for (;;) {
      const elapsed = wallMs() - started;
      if (elapsed >= ms) break;
      const due = Math.min(Math.floor((elapsed / 1000) * command.rate) - sent, 2_000);
      for (let k = 0; k < due; k++) {
        const index = senders[next++ % senders.length] as number;
        const client = clients[index] as BenchClient;
        if (mixed) sendMixed(client, index, tag, pad, next, mix);
        else client.send(stamp(tag, pad), `w${workerId}n${next}t${tag}`);
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return sent;
  };
  await sendPhase(command.warmTag, command.warmupMs);
  const started = wallMs();
  const sent = await sendPhase(command.tag, command.durationMs);
  send({ ev: "sent", sent, elapsedMs: wallMs() - started, ...(mixed ? { mix } : {}) });
}

/** One frame of MIX_PATTERN from one sender; a reaction or edit it has no target for goes out as a chat (counted). */
function sendMixed(client: BenchClient, index: number, tag: number, pad: string, n: number, mix: MixCounts): void {
  const sender = mixSenders[index];
  const kind = sender?.nextKind() ?? "chat";
  if (kind === "react" && client.react) {
    const reaction = sender?.nextReaction();
    if (reaction) {
      client.react(reaction.target, reaction.emoji, reaction.on, reactionId(tag, n));
      if (reaction.on) mix.reactionsOn++;
      else mix.reactionsOff++;
      return;
    }
  }
  if (kind === "edit" && client.edit) {
    const target = sender?.nextEditTarget();
    if (target !== undefined) {
      client.edit(target, stamp(tag, pad), `e${workerId}n${n}t${tag}`);
      mix.edits++;
      return;
    }
  }
  client.send(stamp(tag, pad), `w${workerId}n${n}t${tag}`);
  if (kind === "chat") mix.chats++;
  else mix.fallbacks++;
}

/**
 * Before a mixed run: each sender gets its state and sends one chat (under the priming tag), then
 * we wait until every sender has seen a chat of the room and had one of its own acked, so the
 * first reaction and the first edit have real targets. Then each ready sender sets and clears a
 * reaction and edits its chat once: a fresh server's first reactions and edits cost it tens of
 * milliseconds of one-time work (code and schemas compiled on first use), which would otherwise
 * fall into the warmup or, on a slow machine, the measured part.
 */
async function prime(command: Extract<WorkerCommand, { cmd: "prime" }>) {
  // Counted under their own tag, so the parent can wait for all of them to land before the warmup.
  measureTag = command.tag;
  const pad = "x".repeat(command.textPad);
  const senders = command.senders.filter((i) => clients[i] !== undefined);
  senders.forEach((index, k) => {
    // Phases spread over the pattern (3 is coprime to its length), so that even a sender that sends
    // only a few frames keeps the mix right across all senders.
    mixSenders[index] ??= new MixSender((k * 3) % MIX_PATTERN.length);
    (clients[index] as BenchClient).send(stamp(command.tag, pad), `w${workerId}p${index}t${command.tag}`);
  });
  const deadline = wallMs() + command.timeoutMs;
  const isReady = (i: number) => mixSenders[i]?.primed === true;
  while (senders.some((i) => !isReady(i)) && wallMs() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const ready = senders.filter(isReady);
  let changes = 0;
  for (const index of ready) {
    const client = clients[index] as BenchClient;
    const sender = mixSenders[index] as MixSender;
    const seen = sender.seen[0] as number;
    const own = sender.own[0] as number;
    if (!client.react || !client.edit) continue;
    client.react(seen, EMOJI[0] as string, true, reactionId(command.tag, `p${index}a`));
    client.react(seen, EMOJI[0] as string, false, reactionId(command.tag, `p${index}b`));
    client.edit(own, stamp(command.tag, pad), `e${workerId}p${index}t${command.tag}`);
    changes += 3;
  }
  send({ ev: "primed", ready: ready.length, of: senders.length, changes });
}

/** Every sender keeps `window` messages in flight and sends the next one when an ack arrives. */
async function inbound(command: Extract<WorkerCommand, { cmd: "inbound" }>) {
  measureTag = command.tag;
  const started = wallMs();
  const stopAt = started + command.durationMs;
  let sent = 0;
  let counter = 0;
  const fire = (index: number) => {
    if (wallMs() >= stopAt) return;
    const client = clients[index];
    if (!client) return;
    const id = `w${workerId}i${counter++}`;
    pendingAcks.set(id, wallMs());
    client.send(stamp(command.tag, "inbound"), id);
    sent++;
  };
  const senderSet = new Set(command.senders);
  onAck = (index) => {
    if (senderSet.has(index)) fire(index);
  };
  for (const index of command.senders) for (let k = 0; k < command.window; k++) fire(index);
  while (wallMs() < stopAt) await new Promise((resolve) => setTimeout(resolve, 20));
  onAck = null;
  send({ ev: "sent", sent, elapsedMs: wallMs() - started });
}

function stats(): WorkerStats {
  let perClientMin = clients.length === 0 ? 0 : Number.POSITIVE_INFINITY;
  let perClientMax = 0;
  for (let i = 0; i < clients.length; i++) {
    const count = perClient[i] ?? 0;
    perClientMin = Math.min(perClientMin, count);
    perClientMax = Math.max(perClientMax, count);
  }
  const out: WorkerStats = {
    received,
    receivedEdits,
    receivedReactions,
    latency: latency.toSparse(),
    maxMs: latency.max,
    acks,
    ackLatency: ackLatency.toSparse(),
    ackMaxMs: ackLatency.max,
    errors,
    errorSamples,
    systemFrames,
    systemBytes,
    otherFrames,
    closed,
    perClientMin,
    perClientMax,
  };
  latency = new Histogram();
  ackLatency = new Histogram();
  received = 0;
  receivedEdits = 0;
  receivedReactions = 0;
  acks = 0;
  errors = 0;
  errorSamples = [];
  systemFrames = 0;
  systemBytes = 0;
  otherFrames = 0;
  closed = 0;
  perClient = [];
  pendingAcks.clear();
  return out;
}

process.on("message", (message: WorkerCommand) => {
  switch (message.cmd) {
    case "connect":
      void connectAll(message.kind, message.port, message.clients, message.perSecond, message.concurrency, message.timeoutMs);
      return;
    case "run":
      void run(message);
      return;
    case "inbound":
      void inbound(message);
      return;
    case "prime":
      void prime(message);
      return;
    case "count":
      send({ ev: "count", received, acks });
      return;
    case "stats":
      send({ ev: "stats", stats: stats() });
      return;
    case "close":
      shuttingDown = true;
      for (const client of clients) client.close();
      clients.length = 0;
      mixSenders.length = 0;
      send({ ev: "closed" });
      setTimeout(() => process.exit(0), 50);
      return;
  }
});
// The parent going away ends this worker too: no orphaned load generators.
process.on("disconnect", () => process.exit(0));
send({ ev: "ready" });
