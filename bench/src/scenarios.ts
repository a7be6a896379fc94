import { Generator, type MergedStats } from "./generator";
import type { ClientSpec, ServerKind } from "./messages";
import { cpuSeconds, cpuSplit, memory } from "./proc-stats";
import type { SearchSizes } from "./search-scenario";
import { type RunningServer, startServer } from "./servers";

export interface Sizes {
  quick: boolean;
  workers: number;
  fanout: Array<{ clients: number; msgsPerSec: number }>;
  warmupMs: number;
  durationMs: number;
  saturationClients: number;
  saturationSteps: number[];
  saturationWarmupMs: number;
  saturationMs: number;
  memoryConnections: number;
  stormConnections: number;
  inboundSenders: number;
  inboundRooms: number;
  inboundWindow: number;
  inboundMs: number;
  /** How long connections sit idle before memory is read, and system frames get to land after a storm. */
  settleMs: number;
  /** Mixed load: how many chat-only and mixed windows each (alternating, on one server), and how long each is. */
  mixedRounds: number;
  mixedWindowMs: number;
  /** The search scenario (search-scenario.ts): a room of `search.messages` built into the SQLite store. */
  search: SearchSizes;
}

export const FULL: Sizes = {
  quick: false,
  workers: 2,
  fanout: [
    { clients: 100, msgsPerSec: 500 },
    { clients: 1000, msgsPerSec: 50 },
  ],
  warmupMs: 2_000,
  durationMs: 10_000,
  saturationClients: 500,
  saturationSteps: [
    25_000, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 400_000, 500_000, 600_000, 800_000, 1_000_000, 1_250_000, 1_500_000,
  ],
  saturationWarmupMs: 1_000,
  saturationMs: 4_000,
  memoryConnections: 10_000,
  stormConnections: 10_000,
  inboundSenders: 100,
  inboundRooms: 10,
  inboundWindow: 32,
  inboundMs: 5_000,
  settleMs: 2_000,
  mixedRounds: 4,
  mixedWindowMs: 6_000,
  search: { messages: 1_000_000, authors: 2_000, batch: 10_000, termsPerKind: 20, repetitions: 100, linkOpens: 100 },
};

export const QUICK: Sizes = {
  quick: true,
  workers: 2,
  fanout: [{ clients: 200, msgsPerSec: 50 }],
  warmupMs: 300,
  durationMs: 1_000,
  saturationClients: 100,
  saturationSteps: [20_000],
  saturationWarmupMs: 300,
  saturationMs: 1_000,
  memoryConnections: 500,
  stormConnections: 500,
  inboundSenders: 100,
  inboundRooms: 10,
  inboundWindow: 32,
  inboundMs: 1_000,
  settleMs: 700,
  mixedRounds: 1,
  mixedWindowMs: 1_000,
  search: { messages: 20_000, authors: 300, batch: 5_000, termsPerKind: 5, repetitions: 10, linkOpens: 10 },
};

/** One measured row: one scenario (or one saturation step) on one server. */
export interface Row {
  scenario: string;
  server: ServerKind;
  clients: number;
  offeredPerSec: number;
  sent: number;
  expected: number;
  delivered: number;
  deliveredPerSec: number;
  deliveredPct: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpuSec: number;
  serverCpuPct: number;
  cpuSecPerMillion: number;
  peakRssMiB: number;
  generatorCpuSec: number;
  generatorCpuPct: number;
  errors: number;
  errorSamples: string[];
  extra: Record<string, number | string | boolean>;
}

const TEXT_PAD = 24;

function specs(count: number, room: (i: number) => string): ClientSpec[] {
  return Array.from({ length: count }, (_, i) => ({ room: room(i), name: `u${i}` }));
}

export async function withServer<T>(
  kind: ServerKind,
  workers: number,
  body: (server: RunningServer, generator: Generator) => Promise<T>,
): Promise<T> {
  const server = await startServer(kind);
  let generator: Generator | undefined;
  try {
    generator = await Generator.start(workers);
    return await body(server, generator);
  } finally {
    await generator?.close();
    await server.stop();
  }
}

async function connectOrThrow(generator: Generator, server: RunningServer, list: ClientSpec[], perSecond: number, timeoutMs: number) {
  const result = await generator.connect(server.kind, server.port, list, perSecond, timeoutMs);
  if (result.failed > 0)
    throw new Error(`${server.kind}: ${result.failed} of ${list.length} connections failed: ${result.errorSamples.join("; ")}`);
  return result;
}

function percentiles(stats: MergedStats) {
  return {
    p50Ms: stats.latency.quantileMs(0.5),
    p90Ms: stats.latency.quantileMs(0.9),
    p99Ms: stats.latency.quantileMs(0.99),
    maxMs: stats.latency.max,
  };
}

let tagCounter = 0;

/**
 * One fixed-rate measurement on connected clients, all in one room. `mixed` (our server only):
 * the senders send MIX_PATTERN (chats, reactions, edits) instead of chats only, at the same rate
 * of frames, and every event frame a client receives counts as a delivery.
 */
export async function measure(
  server: RunningServer,
  generator: Generator,
  options: { scenario: string; clients: number; msgsPerSec: number; warmupMs: number; durationMs: number; mixed?: boolean },
): Promise<Row> {
  const tag = ++tagCounter;
  const senders = Array.from({ length: Math.min(50, options.clients) }, (_, i) =>
    Math.floor((i * options.clients) / Math.min(50, options.clients)),
  );
  let primed: { ready: number; of: number; ms: number; errors: number; errorSamples: string[] } | undefined;
  if (options.mixed) {
    // Before the warmup (and outside the measured CPU): each sender's first chat, so the first
    // reaction and edit have targets, and one of each, so the server's one-time first-use costs
    // are paid. Their fan-out lands before the warmup starts; only their errors are kept.
    const primeStarted = Date.now();
    const primeTag = ++tagCounter;
    const ready = await generator.prime({ tag: primeTag, senders, textPad: TEXT_PAD, timeoutMs: 10_000 });
    await generator.drain((ready.of + ready.changes) * options.clients, 1_000, 10_000);
    const primeStats = await generator.stats();
    primed = {
      ...ready,
      ms: Date.now() - primeStarted,
      errors: primeStats.errors + primeStats.closed,
      errorSamples: primeStats.errorSamples,
    };
  }
  await generator.stats();
  let cpu0 = cpuSplit(server.pid);
  let gen0 = generator.cpuSeconds();
  const marks = setTimeout(() => {
    cpu0 = cpuSplit(server.pid);
    gen0 = generator.cpuSeconds();
  }, options.warmupMs);
  const { sent, mix } = await generator.run({
    tag,
    senders,
    rate: options.msgsPerSec,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    textPad: TEXT_PAD,
    mixed: options.mixed === true,
  });
  clearTimeout(marks);
  const expected = sent * options.clients;
  await generator.drain(expected, 1_000, 10_000);
  const cpu1 = cpuSplit(server.pid);
  const serverCpuSec = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  const generatorCpuSec = generator.cpuSeconds() - gen0;
  const stats = await generator.stats();
  const seconds = options.durationMs / 1000;
  return {
    scenario: options.scenario,
    server: server.kind,
    clients: options.clients,
    offeredPerSec: options.msgsPerSec * options.clients,
    sent,
    expected,
    delivered: stats.received,
    deliveredPerSec: stats.received / seconds,
    deliveredPct: expected === 0 ? 0 : (100 * stats.received) / expected,
    ...percentiles(stats),
    serverCpuSec,
    serverCpuPct: (100 * serverCpuSec) / seconds,
    cpuSecPerMillion: stats.received === 0 ? Number.NaN : (serverCpuSec / stats.received) * 1e6,
    peakRssMiB: memory(server.pid).hwm / 2 ** 20,
    generatorCpuSec,
    generatorCpuPct: (100 * generatorCpuSec) / seconds,
    errors: stats.errors + stats.closed + (primed?.errors ?? 0),
    errorSamples: [...(primed?.errorSamples ?? []), ...stats.errorSamples].slice(0, 5),
    extra: {
      serverUserSec: round(cpu1.user - cpu0.user),
      serverSystemSec: round(cpu1.system - cpu0.system),
      ...(mix
        ? {
            sentChats: mix.chats,
            sentReactionsOn: mix.reactionsOn,
            sentReactionsOff: mix.reactionsOff,
            sentEdits: mix.edits,
            sentFallbacks: mix.fallbacks,
            receivedChats: stats.received - stats.receivedEdits - stats.receivedReactions,
            receivedReactions: stats.receivedReactions,
            receivedEdits: stats.receivedEdits,
            primedSenders: `${primed?.ready ?? 0}/${primed?.of ?? 0}`,
            primeMs: primed?.ms ?? 0,
          }
        : {}),
    },
  };
}

export const round = (value: number) => Math.round(value * 100) / 100;

/** Connects `clients` to one room and lets the joins settle before anything is measured. */
export async function joinBenchRoom(
  generator: Parameters<typeof connectOrThrow>[0],
  server: Parameters<typeof connectOrThrow>[1],
  clients: number,
) {
  await connectOrThrow(
    generator,
    server,
    specs(clients, () => "bench"),
    2_000,
    60_000,
  );
  await new Promise((r) => setTimeout(r, 500));
}

export async function fanOut(kind: ServerKind, sizes: Sizes, clients: number, msgsPerSec: number): Promise<Row> {
  return withServer(kind, sizes.workers, async (server, generator) => {
    await joinBenchRoom(generator, server, clients);
    return measure(server, generator, {
      scenario: fanOutScenario(clients),
      clients,
      msgsPerSec,
      warmupMs: sizes.warmupMs,
      durationMs: sizes.durationMs,
    });
  });
}

export const fanOutScenario = (clients: number) => `fan-out ${clients}`;
export const mixedScenario = (clients: number) => `fan-out ${clients} mixed`;
export const pairedChatOnlyScenario = (clients: number) => `fan-out ${clients} chat-only (paired)`;

/** Raises the offered rate step by step until p99 > 200 ms or < 95 % is delivered. */
export async function saturation(kind: ServerKind, sizes: Sizes): Promise<Row[]> {
  const clients = sizes.saturationClients;
  return withServer(kind, sizes.workers, async (server, generator) => {
    await joinBenchRoom(generator, server, clients);
    const rows: Row[] = [];
    for (const deliveries of sizes.saturationSteps) {
      // On a shared machine one step can miss by bad luck: a failed step is measured once more.
      let row: Row | undefined;
      for (let attempt = 1; attempt <= 2; attempt++) {
        row = await measure(server, generator, {
          scenario: "saturation",
          clients,
          msgsPerSec: deliveries / clients,
          warmupMs: sizes.saturationWarmupMs,
          durationMs: sizes.saturationMs,
        });
        row.extra.sustained = row.p99Ms <= 200 && row.deliveredPct >= 95;
        row.extra.attempt = attempt;
        // Let any backlog clear before the next measurement.
        await new Promise((r) => setTimeout(r, 500));
        if (row.extra.sustained) break;
      }
      if (!row) break;
      rows.push(row);
      if (!row.extra.sustained) break;
    }
    return rows;
  });
}

/**
 * Idle memory: RSS growth per connection after N paced connections settle. With `roomsEach` > 1
 * (our server only), every connection joins that many distinct rooms over its one socket, spread
 * so that each room has about 100 members, as a team's rooms do.
 */
export async function idleMemory(kind: ServerKind, sizes: Sizes, roomsEach = 1): Promise<Row> {
  const n = sizes.memoryConnections;
  const scenario = roomsEach > 1 ? `idle memory, ${roomsEach} rooms each` : "idle memory";
  return withServer(kind, sizes.workers, async (server, generator) => {
    await new Promise((r) => setTimeout(r, 500));
    const before = memory(server.pid).rss;
    const cpu0 = cpuSeconds(server.pid);
    const connected = await connectOrThrow(generator, server, idleClients(n, roomsEach), 2_500, roomsEach > 1 ? 240_000 : 120_000);
    await new Promise((r) => setTimeout(r, sizes.settleMs));
    const after = memory(server.pid);
    const stats = await generator.stats();
    return emptyRow(scenario, kind, n, {
      serverCpuSec: cpuSeconds(server.pid) - cpu0,
      peakRssMiB: after.hwm / 2 ** 20,
      errors: stats.errors + stats.closed,
      errorSamples: stats.errorSamples,
      extra: {
        rssBeforeMiB: before / 2 ** 20,
        rssAfterMiB: after.rss / 2 ** 20,
        kibPerConnection: (after.rss - before) / n / 1024,
        connectMs: connected.elapsedMs,
      },
    });
  });
}

/** The idle clients: one room each (BENCH_IDLE_ROOMS spreads them, a diagnostic), or `roomsEach` distinct rooms of about 100 members. */
function idleClients(n: number, roomsEach: number): ClientSpec[] {
  if (roomsEach === 1) {
    // A joined frame lists up to 500 members, so one room of 10,000 is the costly case.
    const rooms = Number(process.env.BENCH_IDLE_ROOMS ?? 1);
    return specs(n, (i) => `idle-${i % rooms}`);
  }
  const roomCount = Math.max(roomsEach * 10, Math.round((n * roomsEach) / 100));
  const stride = Math.floor(roomCount / roomsEach);
  return Array.from({ length: n }, (_, i) => ({
    room: `idle-${i % roomCount}`,
    name: `u${i}`,
    alsoJoin: Array.from({ length: roomsEach - 1 }, (_, k) => `idle-${(i + (k + 1) * stride) % roomCount}`),
  }));
}

/** N connections join one room as fast as the generator can open them. */
export async function storm(kind: ServerKind, sizes: Sizes): Promise<Row> {
  const n = sizes.stormConnections;
  return withServer(kind, sizes.workers, async (server, generator) => {
    const cpu0 = cpuSeconds(server.pid);
    const gen0 = generator.cpuSeconds();
    const connected = await generator.connect(
      server.kind,
      server.port,
      specs(n, () => "storm"),
      1_000_000,
      60_000,
    );
    // System frames are coalesced per 200 ms window; give the last ones time to land.
    await new Promise((r) => setTimeout(r, sizes.settleMs));
    const stats = await generator.stats();
    return emptyRow("connection storm", kind, n, {
      serverCpuSec: cpuSeconds(server.pid) - cpu0,
      peakRssMiB: memory(server.pid).hwm / 2 ** 20,
      generatorCpuSec: generator.cpuSeconds() - gen0,
      errors: stats.errors + stats.closed + connected.failed,
      errorSamples: [...connected.errorSamples, ...stats.errorSamples].slice(0, 5),
      extra: {
        welcomes: connected.ok,
        failed: connected.failed,
        allWelcomed: connected.ok === n,
        joinMs: Math.round(connected.elapsedMs),
        systemFrames: stats.systemFrames,
        systemFramesPerClient: stats.systemFrames / n,
        systemMiB: stats.systemBytes / 2 ** 20,
      },
    });
  });
}

/** Our server only: 100 senders into 10 rooms, each keeping a window of chats in flight until acked. */
export async function inbound(sizes: Sizes): Promise<Row> {
  return withServer("chatroom", sizes.workers, async (server, generator) => {
    const n = sizes.inboundSenders;
    await connectOrThrow(
      generator,
      server,
      specs(n, (i) => `in-${i % sizes.inboundRooms}`),
      2_000,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    await generator.stats();
    const tag = ++tagCounter;
    const cpu0 = cpuSeconds(server.pid);
    const gen0 = generator.cpuSeconds();
    const senders = Array.from({ length: n }, (_, i) => i);
    const { sent, elapsedMs } = await generator.inbound({ tag, senders, window: sizes.inboundWindow, durationMs: sizes.inboundMs });
    await generator.drain(Number.POSITIVE_INFINITY, 500, 5_000);
    const serverCpuSec = cpuSeconds(server.pid) - cpu0;
    const stats = await generator.stats();
    const seconds = elapsedMs / 1000;
    const fanout = n / sizes.inboundRooms;
    return {
      ...emptyRow("inbound store", "chatroom", n, {
        serverCpuSec,
        peakRssMiB: memory(server.pid).hwm / 2 ** 20,
        generatorCpuSec: generator.cpuSeconds() - gen0,
        errors: stats.errors + stats.closed,
        errorSamples: stats.errorSamples,
        extra: {
          storedPerSec: Math.round(stats.acks / seconds),
          acks: stats.acks,
          ackP50Ms: stats.ackLatency.quantileMs(0.5),
          ackP99Ms: stats.ackLatency.quantileMs(0.99),
          ackMaxMs: stats.ackLatency.max,
          rooms: sizes.inboundRooms,
          window: sizes.inboundWindow,
        },
      }),
      sent,
      expected: sent * fanout,
      delivered: stats.received,
      deliveredPerSec: stats.received / seconds,
      deliveredPct: sent === 0 ? 0 : (100 * stats.received) / (sent * fanout),
      ...percentiles(stats),
      serverCpuPct: (100 * serverCpuSec) / seconds,
      cpuSecPerMillion: stats.received === 0 ? Number.NaN : (serverCpuSec / stats.received) * 1e6,
      generatorCpuPct: (100 * (generator.cpuSeconds() - gen0)) / seconds,
    };
  });
}

function emptyRow(scenario: string, server: ServerKind, clients: number, values: Partial<Row>): Row {
  return {
    scenario,
    server,
    clients,
    offeredPerSec: 0,
    sent: 0,
    expected: 0,
    delivered: 0,
    deliveredPerSec: 0,
    deliveredPct: 0,
    p50Ms: Number.NaN,
    p90Ms: Number.NaN,
    p99Ms: Number.NaN,
    maxMs: Number.NaN,
    serverCpuSec: 0,
    serverCpuPct: 0,
    cpuSecPerMillion: Number.NaN,
    peakRssMiB: 0,
    generatorCpuSec: 0,
    generatorCpuPct: 0,
    errors: 0,
    errorSamples: [],
    extra: {},
    ...values,
  };
}
