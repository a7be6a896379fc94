import { timingSafeEqual } from "node:crypto";
import type { ClientFrameType } from "@chatroom/protocol";
import { CLOSE_CODES } from "@chatroom/protocol";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { type ChatMetrics, noopChatMetrics, type OutboundBatch } from "../chat/ports";
import type { AppConfig } from "../config";
import { pollingRouteOptions } from "../routes/polling";

/** What the socket glue reports. `frameOut` runs once per recipient, so it is a few plain operations. */
export interface TransportMetrics {
  frameOut(data: string | Buffer): void;
  /** A room's broadcast batch to one recipient: classified once per batch, then plain additions. */
  batchOut(batch: OutboundBatch): void;
  frameIn(bytes: number): void;
  /** A close the server started, by code (`CLOSE_CODES.tooSlow` is a slow-consumer drop). */
  serverClose(code: number): void;
}

declare module "fastify" {
  interface FastifyInstance {
    transportMetrics: TransportMetrics;
    /** Handed to the chat logic when the chat plugin builds its dependencies. */
    chatMetrics: ChatMetrics;
  }
}

const noopTransport: TransportMetrics = { frameOut() {}, batchOut() {}, frameIn() {}, serverClose() {} };

/** A counter slot per outgoing frame type; plain numbers, read into prom-client at scrape time. */
interface Slot {
  count: number;
}

/**
 * Per-app Prometheus metrics on `GET /metrics` (a Registry of its own, so tests can build many
 * apps). Off with METRICS=false: then nothing is counted and the route does not exist.
 */
export default fp(
  async function metricsPlugin(app: FastifyInstance, { config }: { config: AppConfig }) {
    if (!config.metrics) {
      app.decorate("transportMetrics", noopTransport);
      app.decorate("chatMetrics", { ...noopChatMetrics });
      return;
    }
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });

    // Hot-path state: plain numbers, folded into the counters when Prometheus scrapes.
    const outSlots = new Map<string, Slot>();
    let bytesOut = 0;
    let framesInRaw = 0;
    let bytesIn = 0;
    let lastData: string | Buffer | null = null;
    let lastSlot: Slot = { count: 0 };
    let lastBytes = 0;
    let lastBatch: OutboundBatch | null = null;
    let lastBatchSlots: Array<[Slot, number]> = [];
    let lastBatchBytes = 0;
    /** Recipients of `lastBatch` not yet folded into the slots. */
    let lastBatchRecipients = 0;

    /** Adds the current batch's recipients to the counters; before a new batch and at scrape. */
    function foldBatch(): void {
      if (lastBatchRecipients === 0) return;
      for (const [slot, count] of lastBatchSlots) slot.count += count * lastBatchRecipients;
      bytesOut += lastBatchBytes * lastBatchRecipients;
      lastBatchRecipients = 0;
    }

    function slotFor(data: string | Buffer): Slot {
      const type = frameType(data);
      let slot = outSlots.get(type);
      if (!slot) {
        slot = { count: 0 };
        outSlots.set(type, slot);
      }
      return slot;
    }

    const transport: TransportMetrics = {
      frameOut(data) {
        // A broadcast hands the same encoded frame to every recipient: classify it once.
        if (data !== lastData) {
          lastData = data;
          lastSlot = slotFor(data);
          lastBytes = typeof data === "string" ? Buffer.byteLength(data) : data.length;
        }
        lastSlot.count++;
        bytesOut += lastBytes;
      },
      batchOut(batch) {
        // Every recipient of a broadcast gets the same batch object: classify it once, and per
        // recipient only count; the counts are multiplied out when the next batch comes.
        if (batch !== lastBatch) {
          foldBatch();
          lastBatch = batch;
          const counts = new Map<Slot, number>();
          lastBatchBytes = 0;
          for (const frame of batch.frames) {
            const slot = slotFor(frame);
            counts.set(slot, (counts.get(slot) ?? 0) + 1);
            lastBatchBytes += frame.length;
          }
          lastBatchSlots = [...counts];
        }
        lastBatchRecipients++;
      },
      frameIn(bytes) {
        framesInRaw++;
        bytesIn += bytes;
      },
      serverClose(code) {
        serverCloses.inc({ code: String(code) });
        if (code === CLOSE_CODES.tooSlow.code) slowConsumerDrops.inc();
      },
    };

    new Gauge({
      name: "chat_connections",
      help: "Open WebSocket connections on this node.",
      registers: [registry],
      // Read at scrape time: the hub, built after this plugin, exists by then.
      collect() {
        this.set(app.hasDecorator("hub") ? app.hub.connectionCount : 0);
      },
    });
    new Counter({
      name: "chat_frames_out_total",
      help: "Frames written to sockets, by frame type.",
      labelNames: ["type"],
      registers: [registry],
      collect() {
        foldBatch();
        this.reset();
        for (const [type, slot] of outSlots) this.inc({ type }, slot.count);
      },
    });
    new Counter({
      name: "chat_bytes_out_total",
      help: "Payload bytes written to sockets.",
      registers: [registry],
      collect() {
        foldBatch();
        this.reset();
        this.inc(bytesOut);
      },
    });
    new Counter({
      name: "chat_ws_messages_in_total",
      help: "Text frames received, before decoding.",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(framesInRaw);
      },
    });
    new Counter({
      name: "chat_bytes_in_total",
      help: "Payload bytes received in text frames.",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(bytesIn);
      },
    });
    const framesIn = new Counter({
      name: "chat_frames_in_total",
      help: "Client frames that decoded, by frame type.",
      labelNames: ["type"],
      registers: [registry],
    });
    const badFrames = new Counter({
      name: "chat_bad_frames_total",
      help: "Client frames that failed to decode, by reason.",
      labelNames: ["reason"],
      registers: [registry],
    });
    const rateLimited = new Counter({
      name: "chat_rate_limited_total",
      help: "Chat frames answered with rate_limited.",
      registers: [registry],
    });
    const slowConsumerDrops = new Counter({
      name: "chat_slow_consumer_drops_total",
      help: `Connections closed with ${CLOSE_CODES.tooSlow.code} because their send buffer passed SLOW_CONSUMER_BYTES.`,
      registers: [registry],
    });
    const serverCloses = new Counter({
      name: "chat_server_closes_total",
      help: "Connections the server closed, by close code.",
      labelNames: ["code"],
      registers: [registry],
    });
    const storeWrite = new Histogram({
      name: "chat_store_write_seconds",
      help: "Time to commit one chat message to the store.",
      labelNames: ["result"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const fanOut = new Histogram({
      name: "chat_fanout_seconds",
      help: "From a message's commit to the last socket write of its broadcast on this node.",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });

    const chat: ChatMetrics = {
      frameIn: (type: ClientFrameType) => framesIn.inc({ type }),
      badFrame: (reason) => badFrames.inc({ reason }),
      rateLimited: () => rateLimited.inc(),
      storeWrite: (seconds, ok) => storeWrite.observe({ result: ok ? "ok" : "error" }, seconds),
      fanOut: (seconds) => fanOut.observe(seconds),
    };

    app.decorate("transportMetrics", transport);
    app.decorate("chatMetrics", chat);
    const expectedAuthorization = config.metricsToken ? Buffer.from(`Bearer ${config.metricsToken}`) : undefined;
    // Scraped every few seconds, like the other polled routes: quiet at the default log level.
    app.get("/metrics", pollingRouteOptions(app), async (request, reply) => {
      if (expectedAuthorization && !sameSecret(request.headers.authorization, expectedAuthorization)) {
        return reply.code(401).header("www-authenticate", 'Bearer realm="metrics"').send({ error: "unauthorized" });
      }
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    });
  },
  { name: "metrics", fastify: "5.x" },
);

/** Compares in constant time, so response timing does not reveal how much of the token matched. */
function sameSecret(given: string | undefined, expected: Buffer): boolean {
  const candidate = Buffer.from(given ?? "");
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

/** Every frame is `JSON.stringify` of an object whose first key is `type`: `{"type":"chat",...`. */
function frameType(data: string | Buffer): string {
  const start = 9;
  if (typeof data === "string") {
    const end = data.indexOf('"', start);
    return end > start && end < start + 16 ? data.slice(start, end) : "other";
  }
  const end = data.indexOf(34, start);
  return end > start && end < start + 16 ? data.toString("latin1", start, end) : "other";
}
