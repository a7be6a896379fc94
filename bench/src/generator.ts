import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { Histogram } from "./histogram";
import type { ClientSpec, MixCounts, ServerKind, WorkerCommand, WorkerEvent, WorkerStats } from "./messages";
import { cpuSeconds } from "./proc-stats";

interface Worker {
  child: ChildProcess;
  pid: number;
  waiters: Array<{ ev: WorkerEvent["ev"]; resolve: (event: WorkerEvent) => void }>;
  /** How many clients this worker owns. */
  clients: number;
}

export interface MergedStats {
  /** Measured event frames received, every kind (chats, edits, reactions). */
  received: number;
  receivedEdits: number;
  receivedReactions: number;
  latency: Histogram;
  acks: number;
  ackLatency: Histogram;
  errors: number;
  errorSamples: string[];
  systemFrames: number;
  systemBytes: number;
  closed: number;
  /** Fewest and most measured chats any one client received: both equal `sent` when nothing was lost or doubled. */
  perClientMin: number;
  perClientMax: number;
}

type EventOf<E extends WorkerEvent["ev"]> = Extract<WorkerEvent, { ev: E }>;

/** The load generator: worker processes (not threads), each owning a slice of the clients. */
export class Generator {
  private constructor(private readonly workers: Worker[]) {}

  static async start(count: number): Promise<Generator> {
    const workers: Worker[] = [];
    for (let i = 0; i < count; i++) {
      const child = fork(join(import.meta.dirname, "worker.ts"), [], {
        execArgv: ["--import", "tsx"],
        env: { ...process.env, BENCH_WORKER_ID: String(i) },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      const worker: Worker = { child, pid: child.pid as number, waiters: [], clients: 0 };
      child.on("message", (event: WorkerEvent) => {
        const index = worker.waiters.findIndex((w) => w.ev === event.ev);
        if (index < 0) return;
        const [waiter] = worker.waiters.splice(index, 1);
        waiter?.resolve(event);
      });
      workers.push(worker);
      liveGenerators.add(child);
      child.once("exit", () => liveGenerators.delete(child));
    }
    const generator = new Generator(workers);
    await Promise.all(workers.map((w) => generator.wait(w, "ready", 20_000)));
    return generator;
  }

  get size(): number {
    return this.workers.length;
  }

  private wait<E extends WorkerEvent["ev"]>(worker: Worker, ev: E, timeoutMs: number): Promise<EventOf<E>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = worker.waiters.findIndex((w) => w.resolve === done);
        if (index >= 0) worker.waiters.splice(index, 1);
        reject(new Error(`worker ${worker.pid} did not answer "${ev}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (event: WorkerEvent) => {
        clearTimeout(timer);
        resolve(event as EventOf<E>);
      };
      worker.waiters.push({ ev, resolve: done });
    });
  }

  private ask<E extends WorkerEvent["ev"]>(worker: Worker, command: WorkerCommand, ev: E, timeoutMs: number): Promise<EventOf<E>> {
    const answer = this.wait(worker, ev, timeoutMs);
    worker.child.send(command);
    return answer;
  }

  /** Spreads `specs` round-robin over the workers; client i lives in worker i % size at index ⌊i / size⌋. */
  async connect(kind: ServerKind, port: number, specs: ClientSpec[], perSecond: number, timeoutMs: number) {
    const n = this.workers.length;
    const answers = await Promise.all(
      this.workers.map((worker, w) => {
        const mine = specs.filter((_, i) => i % n === w);
        worker.clients += mine.length;
        return this.ask(
          worker,
          { cmd: "connect", kind, port, clients: mine, perSecond: perSecond / n, concurrency: 256, timeoutMs },
          "connected",
          timeoutMs + 10_000,
        );
      }),
    );
    return {
      ok: answers.reduce((sum, a) => sum + a.ok, 0),
      failed: answers.reduce((sum, a) => sum + a.failed, 0),
      elapsedMs: Math.max(...answers.map((a) => a.elapsedMs)),
      errorSamples: answers.flatMap((a) => a.errorSamples).slice(0, 5),
    };
  }

  /** Local indices of the global client indices `senders` in worker `w`. */
  private local(senders: number[], w: number): number[] {
    const n = this.workers.length;
    return senders.filter((i) => i % n === w).map((i) => Math.floor(i / n));
  }

  /**
   * Mixed runs: gives each sender its state and a first chat of its own, then one reaction set and
   * cleared and one edit (all under `tag`, not measured); resolves when all are sent.
   */
  async prime(options: { tag: number; senders: number[]; textPad: number; timeoutMs: number }) {
    const answers = await Promise.all(
      this.workers.map((worker, w) =>
        this.ask(
          worker,
          {
            cmd: "prime",
            tag: options.tag,
            senders: this.local(options.senders, w),
            textPad: options.textPad,
            timeoutMs: options.timeoutMs,
          },
          "primed",
          options.timeoutMs + 10_000,
        ),
      ),
    );
    return {
      ready: answers.reduce((sum, a) => sum + a.ready, 0),
      of: answers.reduce((sum, a) => sum + a.of, 0),
      changes: answers.reduce((sum, a) => sum + a.changes, 0),
    };
  }

  /**
   * Offers `rate` frames/s from `senders` for warmup + duration (chats, or MIX_PATTERN when
   * `mixed`); resolves with how many were sent in the measured part, and of which kinds.
   */
  async run(options: {
    tag: number;
    senders: number[];
    rate: number;
    warmupMs: number;
    durationMs: number;
    textPad: number;
    mixed?: boolean;
  }) {
    const answers = await Promise.all(
      this.workers.map((worker, w) => {
        const mine = this.local(options.senders, w);
        const rate = (options.rate * mine.length) / Math.max(1, options.senders.length);
        return this.ask(
          worker,
          {
            cmd: "run",
            tag: options.tag,
            warmTag: -options.tag,
            senders: mine,
            rate,
            warmupMs: options.warmupMs,
            durationMs: options.durationMs,
            textPad: options.textPad,
            mixed: options.mixed === true,
          },
          "sent",
          options.warmupMs + options.durationMs + 30_000,
        );
      }),
    );
    let mix: MixCounts | undefined;
    for (const answer of answers) {
      if (!answer.mix) continue;
      mix ??= { chats: 0, reactionsOn: 0, reactionsOff: 0, edits: 0, fallbacks: 0 };
      for (const key of Object.keys(mix) as Array<keyof MixCounts>) mix[key] += answer.mix[key];
    }
    return { sent: answers.reduce((sum, a) => sum + a.sent, 0), elapsedMs: Math.max(...answers.map((a) => a.elapsedMs)), mix };
  }

  async inbound(options: { tag: number; senders: number[]; window: number; durationMs: number }) {
    const answers = await Promise.all(
      this.workers.map((worker, w) =>
        this.ask(
          worker,
          {
            cmd: "inbound",
            tag: options.tag,
            senders: this.local(options.senders, w),
            window: options.window,
            durationMs: options.durationMs,
          },
          "sent",
          options.durationMs + 30_000,
        ),
      ),
    );
    return { sent: answers.reduce((sum, a) => sum + a.sent, 0), elapsedMs: Math.max(...answers.map((a) => a.elapsedMs)) };
  }

  async count(): Promise<{ received: number; acks: number }> {
    const answers = await Promise.all(this.workers.map((worker) => this.ask(worker, { cmd: "count" }, "count", 10_000)));
    return { received: answers.reduce((s, a) => s + a.received, 0), acks: answers.reduce((s, a) => s + a.acks, 0) };
  }

  /** Waits until `expected` deliveries arrived, or nothing new arrived for `quietMs`, within `maxMs`. */
  async drain(expected: number, quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    let last = -1;
    let lastChange = Date.now();
    while (Date.now() < deadline) {
      const { received } = await this.count();
      if (received >= expected) return;
      if (received !== last) {
        last = received;
        lastChange = Date.now();
      } else if (Date.now() - lastChange >= quietMs) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Collects and resets every worker's counters. */
  async stats(): Promise<MergedStats> {
    const answers = await Promise.all(this.workers.map((worker) => this.ask(worker, { cmd: "stats" }, "stats", 10_000)));
    const merged: MergedStats = {
      received: 0,
      receivedEdits: 0,
      receivedReactions: 0,
      latency: new Histogram(),
      acks: 0,
      ackLatency: new Histogram(),
      errors: 0,
      errorSamples: [],
      systemFrames: 0,
      systemBytes: 0,
      closed: 0,
      perClientMin: Number.POSITIVE_INFINITY,
      perClientMax: 0,
    };
    for (const { stats } of answers) mergeInto(merged, stats);
    return merged;
  }

  cpuSeconds(): number {
    return this.workers.reduce((sum, w) => sum + cpuSeconds(w.pid), 0);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        if (worker.child.exitCode !== null) return;
        const exited = new Promise<void>((done) => worker.child.once("exit", () => done()));
        try {
          worker.child.send({ cmd: "close" } satisfies WorkerCommand);
        } catch {
          worker.child.kill("SIGKILL");
        }
        const forced = setTimeout(() => worker.child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(forced);
      }),
    );
  }
}

function mergeInto(merged: MergedStats, stats: WorkerStats): void {
  merged.received += stats.received;
  merged.receivedEdits += stats.receivedEdits;
  merged.receivedReactions += stats.receivedReactions;
  merged.latency.merge(stats.latency, stats.maxMs);
  merged.acks += stats.acks;
  merged.ackLatency.merge(stats.ackLatency, stats.ackMaxMs);
  merged.errors += stats.errors;
  merged.errorSamples.push(...stats.errorSamples.slice(0, 5 - merged.errorSamples.length));
  merged.systemFrames += stats.systemFrames;
  merged.systemBytes += stats.systemBytes;
  merged.closed += stats.closed;
  merged.perClientMin = Math.min(merged.perClientMin, stats.perClientMin);
  merged.perClientMax = Math.max(merged.perClientMax, stats.perClientMax);
}

const liveGenerators = new Set<ChildProcess>();

/** Kills every worker still alive: the bench's finally-block. */
export function killAllGenerators(): void {
  for (const child of liveGenerators) child.kill("SIGKILL");
}
