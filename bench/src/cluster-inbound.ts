/**
 * Inbound on one running configuration: every client sends into one of `inboundRooms` rooms,
 * keeping `inboundWindow` chats in flight and sending the next when an ack comes back. An ack
 * comes only after the commit (SQLite's fsync, PostgreSQL's COMMIT with synchronous_commit on), so
 * acks per second = stored messages per second. With two nodes, half the senders are on each and
 * every room has members on both, so each chat also crosses Redis to the other node's members.
 */
import { clusterRow, cpuBudget } from "./cluster-report";
import type { ClusterSizes } from "./cluster-scenario";
import { connectSplit, cpuBetween, type RunningConfiguration, round } from "./cluster-setup";
import { Generator } from "./generator";
import type { ClientSpec } from "./messages";
import type { Row } from "./scenarios";

let tagCounter = 5_000;

export async function clusterInbound(running: RunningConfiguration, workers: number, load: ClusterSizes): Promise<Row> {
  const { configuration } = running;
  const n = load.inboundSenders;
  // Rooms by i % rooms, nodes by ⌊i / perNode⌋: each room has members (and senders) on every node.
  const specs: ClientSpec[] = Array.from({ length: n }, (_, i) => ({ room: `in-${i % load.inboundRooms}`, name: `s${i}` }));
  const fanout = n / load.inboundRooms;
  const generator = await Generator.start(workers);
  try {
    await connectSplit(generator, running, specs);
    await new Promise((r) => setTimeout(r, 500));
    await generator.stats();
    const tag = ++tagCounter;
    const cpu0 = running.cpu();
    const gen0 = generator.cpuSeconds();
    const senders = Array.from({ length: n }, (_, i) => i);
    const { sent, elapsedMs } = await generator.inbound({ tag, senders, window: load.inboundWindow, durationMs: load.inboundMs });
    // Acks within the window (the chats still in flight at its end are acked during the drain).
    const inWindow = await generator.count();
    const cpu = cpuBetween(cpu0, running.cpu());
    const generatorCpuSec = generator.cpuSeconds() - gen0;
    const expected = sent * fanout;
    await generator.drain(expected, 1_000, 10_000);
    const stats = await generator.stats();
    const seconds = elapsedMs / 1000;
    const perStored = (cpuSec: number) => (inWindow.acks === 0 ? Number.NaN : (cpuSec / inWindow.acks) * 1e6);
    const perMillion = (cpuSec: number) => (inWindow.received === 0 ? Number.NaN : (cpuSec / inWindow.received) * 1e6);
    const storedPerSec = Math.round(inWindow.acks / seconds);
    return clusterRow(
      {
        running,
        scenario: `cluster inbound: ${configuration.label}`,
        clients: n,
        offeredPerSec: 0,
        sent,
        expected,
        deliveredPerSec: inWindow.received / seconds,
        stats,
        cpu,
        generatorCpuSec,
        seconds,
        perMillion,
      },
      {
        storedPerSec,
        acks: stats.acks,
        ackP50Ms: stats.ackLatency.quantileMs(0.5),
        ackP99Ms: stats.ackLatency.quantileMs(0.99),
        ackMaxMs: stats.ackLatency.max,
        rooms: load.inboundRooms,
        window: load.inboundWindow,
        // Every chat sent was acked, and reached every member of its room on every node.
        noLoss: sent > 0 && stats.acks === sent && stats.received === expected,
        // CPU per stored message, µs: the nodes together, then PostgreSQL and Redis apart.
        serverCpuUsPerStored: round(perStored(cpu.nodes)),
        ...(running.postgres ? { postgresCpuUsPerStored: round(perStored(cpu.postgres)) } : {}),
        ...(running.redis ? { redisCpuUsPerStored: round(perStored(cpu.redis)) } : {}),
        // The load generator shares the machine's cores with the servers: its CPU per stored
        // message (a send, an ack and `fanout` deliveries) is part of what any rate here costs.
        generatorCpuUsPerStored: round(perStored(generatorCpuSec)),
        ...cpuBudget(perStored(cpu.nodes + cpu.postgres + cpu.redis + generatorCpuSec)),
      },
    );
  } finally {
    await generator.close();
  }
}
