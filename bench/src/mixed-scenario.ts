import { joinBenchRoom, measure, mixedScenario, pairedChatOnlyScenario, type Row, round, type Sizes, withServer } from "./scenarios";

/**
 * The mixed load (issue [3/6]), our server only: the fan-out of one size (same clients in one room,
 * same 50 senders, same offered frames/s) where each sender's frames are 70 % chats, 20 % reactions
 * (on a recent chat of the room it received, toggled on and off) and 10 % edits (of one of its own
 * recent chats), against chat-only windows of the same shape.
 *
 * Why paired windows on one server: CPU per delivery of the same chat-only load, each on a fresh
 * server, varied from 6.6 to 15.5 s per million between runs on this 2-core machine (the
 * generator takes most of a core, and how many frames share a write depends on the moment). So
 * chat-only and mixed windows alternate on one server with the same connections, in the order
 * A B B A A B B A…, which cancels a steady drift, and each side's CPU and deliveries are summed
 * over its windows. The baselines have no reactions or edits, so they get no such rows.
 */
export async function fanOutMixed(sizes: Sizes, clients: number, msgsPerSec: number): Promise<Row[]> {
  return withServer("chatroom", sizes.workers, async (server, generator) => {
    await joinBenchRoom(generator, server, clients);
    const chatOnly: Row[] = [];
    const mixed: Row[] = [];
    const window = (isMixed: boolean) =>
      measure(server, generator, {
        scenario: isMixed ? mixedScenario(clients) : pairedChatOnlyScenario(clients),
        clients,
        msgsPerSec,
        warmupMs: sizes.warmupMs,
        durationMs: sizes.mixedWindowMs,
        mixed: isMixed,
      });
    for (let round = 0; round < sizes.mixedRounds; round++) {
      // A B, then B A: each side runs first in half of the rounds.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const isMixed of order) (isMixed ? mixed : chatOnly).push(await window(isMixed));
    }
    const chatOnlyRow = combineWindows(chatOnly, pairedChatOnlyScenario(clients));
    const mixedRow = combineWindows(mixed, mixedScenario(clients));
    mixedRow.extra.chatOnly = chatOnlyRow.scenario;
    const ratios = mixed.map((row, i) => row.cpuSecPerMillion / (chatOnly[i]?.cpuSecPerMillion ?? Number.NaN));
    mixedRow.extra.windowRatios = ratios.map((ratio) => ratio.toFixed(2)).join(" ");
    return [chatOnlyRow, mixedRow];
  });
}

/**
 * One row for several windows of one scenario: counts and CPU summed, rates over the summed time,
 * latency quantiles the worst window's (a window's histogram is not kept), numeric extras summed.
 */
function combineWindows(windows: Row[], scenario: string): Row {
  const first = windows[0];
  if (!first) throw new Error(`no windows for ${scenario}`);
  const sum = (pick: (row: Row) => number) => windows.reduce((total, row) => total + pick(row), 0);
  const max = (pick: (row: Row) => number) => Math.max(...windows.map(pick));
  const seconds = sum((row) => (row.deliveredPerSec === 0 ? 0 : row.delivered / row.deliveredPerSec));
  const serverCpuSec = sum((row) => row.serverCpuSec);
  const generatorCpuSec = sum((row) => row.generatorCpuSec);
  const delivered = sum((row) => row.delivered);
  const expected = sum((row) => row.expected);
  const extra: Row["extra"] = { windows: windows.length };
  for (const row of windows) {
    for (const [key, value] of Object.entries(row.extra)) {
      const before = extra[key];
      extra[key] = typeof value === "number" && typeof before === "number" ? round(before + value) : (before ?? value);
    }
  }
  return {
    ...first,
    scenario,
    sent: sum((row) => row.sent),
    expected,
    delivered,
    deliveredPerSec: seconds === 0 ? 0 : delivered / seconds,
    deliveredPct: expected === 0 ? 0 : (100 * delivered) / expected,
    p50Ms: max((row) => row.p50Ms),
    p90Ms: max((row) => row.p90Ms),
    p99Ms: max((row) => row.p99Ms),
    maxMs: max((row) => row.maxMs),
    serverCpuSec,
    serverCpuPct: seconds === 0 ? 0 : (100 * serverCpuSec) / seconds,
    cpuSecPerMillion: delivered === 0 ? Number.NaN : (serverCpuSec / delivered) * 1e6,
    peakRssMiB: max((row) => row.peakRssMiB),
    generatorCpuSec,
    generatorCpuPct: seconds === 0 ? 0 : (100 * generatorCpuSec) / seconds,
    errors: sum((row) => row.errors),
    errorSamples: windows.flatMap((row) => row.errorSamples).slice(0, 5),
    extra,
  };
}
