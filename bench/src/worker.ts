/**
 * One load-generator process. It owns a slice of the clients, sends at the rate the parent asks
 * for, and measures send→receipt latency for every chat it receives (senders and receivers may
 * live in different workers: they share the machine's wall clock).
 */
import { type BenchClient, connectClient } from "./adapters";
import { Histogram, wallMs } from "./histogram";
import type { ClientSpec, ServerKind, WorkerCommand, WorkerEvent, WorkerStats } from "./messages";

const send = (event: WorkerEvent) => process.send?.(event);
const workerId = Number(process.env.BENCH_WORKER_ID ?? 0);

const clients: BenchClient[] = [];
let measureTag = -1;
let latency = new Histogram();
let ackLatency = new Histogram();
let received = 0;
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

/** Reads `~T<ms>~<tag>~` from a received chat without decoding the frame around it. */
function recordChat(data: Buffer | string, client: number): void {
  const now = wallMs();
  const start = data.indexOf("~T");
  if (start < 0) return;
  const mid = data.indexOf("~", start + 2);
  const end = data.indexOf("~", mid + 1);
  if (mid < 0 || end < 0) return;
  const tag = Number(typeof data === "string" ? data.slice(mid + 1, end) : data.toString("latin1", mid + 1, end));
  if (tag !== measureTag) return;
  const sentAt = Number(typeof data === "string" ? data.slice(start + 2, mid) : data.toString("latin1", start + 2, mid));
  received++;
  perClient[client] = (perClient[client] ?? 0) + 1;
  latency.recordMs(now - sentAt);
}

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
        chat: (data) => recordChat(data, index),
        ack(clientMsgId) {
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
  const senders = command.senders.map((i) => clients[i]).filter((c): c is BenchClient => c !== undefined);
  let next = 0;
  const sendPhase = async (tag: number, ms: number) => {
    let sent = 0;
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
        const client = senders[next++ % senders.length] as BenchClient;
        client.send(stamp(tag, pad), `w${workerId}n${next}t${tag}`);
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return sent;
  };
  await sendPhase(command.warmTag, command.warmupMs);
  const started = wallMs();
  const sent = await sendPhase(command.tag, command.durationMs);
  send({ ev: "sent", sent, elapsedMs: wallMs() - started });
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
      send({ ev: "closed" });
      setTimeout(() => process.exit(0), 50);
      return;
  }
});
// The parent going away ends this worker too: no orphaned load generators.
process.on("disconnect", () => process.exit(0));
send({ ev: "ready" });
