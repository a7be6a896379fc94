import { CLUSTER_INBOUND_TARGET } from "./cluster-report";
import type { ServerKind } from "./messages";
import type { Row } from "./scenarios";
import { SERVER_LABELS } from "./servers";

const KINDS: ServerKind[] = ["chatroom", "seed", "socketio"];
const COLORS: Record<ServerKind, string> = { chatroom: "#2563eb", seed: "#16a34a", socketio: "#dc2626" };

const fmt = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value)
    ? "–"
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (value: number | undefined) => fmt(value, 0);

export interface Goal {
  goal: string;
  chatroom: number;
  seed: number;
  socketio: number;
  /** Chatroom ÷ seed and chatroom ÷ Socket.IO. */
  vsSeed: number;
  vsSocketIo: number;
  target: string;
  met: boolean;
}

function one(rows: Row[], scenario: string, kind: ServerKind): Row | undefined {
  return rows.find((r) => r.scenario === scenario && r.server === kind);
}

/** Highest delivered/s among the saturation steps that stayed within p99 ≤ 200 ms and ≥ 95 % delivered. */
export function maxSustained(rows: Row[], kind: ServerKind): number {
  const steps = rows.filter((r) => r.scenario === "saturation" && r.server === kind && r.extra.sustained === true);
  return Math.max(0, ...steps.map((r) => r.deliveredPerSec));
}

/** Mixed ÷ chat-only CPU per delivery: the issue [3/6] target, for the same fan-out in the same run. */
export const MIXED_CPU_TARGET = 1.1;

/** A mixed row of our server beside the chat-only fan-out row of the same size from the same run. */
export interface MixedComparison {
  chatOnly: string;
  mixed: string;
  chatOnlyCpuSecPerMillion: number;
  mixedCpuSecPerMillion: number;
  /** Mixed ÷ chat-only; the target is ≤ MIXED_CPU_TARGET. */
  ratio: number;
  target: string;
  chatOnlyErrors: number;
  mixedErrors: number;
  /** Within the target, and no error frame (or closed socket) in either row. */
  met: boolean;
}

export function mixedComparisons(rows: Row[]): MixedComparison[] {
  const out: MixedComparison[] = [];
  for (const mixed of rows) {
    if (mixed.server !== "chatroom" || typeof mixed.extra.chatOnly !== "string") continue;
    const chatOnly = one(rows, mixed.extra.chatOnly, "chatroom");
    if (!chatOnly) continue;
    const ratio = mixed.cpuSecPerMillion / chatOnly.cpuSecPerMillion;
    out.push({
      chatOnly: chatOnly.scenario,
      mixed: mixed.scenario,
      chatOnlyCpuSecPerMillion: chatOnly.cpuSecPerMillion,
      mixedCpuSecPerMillion: mixed.cpuSecPerMillion,
      ratio,
      target: `≤ ${MIXED_CPU_TARGET.toFixed(2)}× chat-only`,
      chatOnlyErrors: chatOnly.errors,
      mixedErrors: mixed.errors,
      met: ratio <= MIXED_CPU_TARGET && chatOnly.errors === 0 && mixed.errors === 0,
    });
  }
  return out;
}

/** One line per comparison, for the log. */
export function mixedLine(c: MixedComparison): string {
  return `${c.mixed} ÷ ${c.chatOnly}, CPU s per 1M deliveries: ${fmt(c.mixedCpuSecPerMillion, 2)} / ${fmt(c.chatOnlyCpuSecPerMillion, 2)} = ${fmt(c.ratio, 3)} (target ${c.target}; errors ${c.mixedErrors} / ${c.chatOnlyErrors}): ${c.met ? "met" : "NOT met"}`;
}

export function goals(rows: Row[], fanoutScenario: string): Goal[] {
  const out: Goal[] = [];
  const metric = (name: string, pick: (kind: ServerKind) => number, target: string, met: (c: number, s: number, i: number) => boolean) => {
    const c = pick("chatroom");
    const s = pick("seed");
    const i = pick("socketio");
    out.push({ goal: name, chatroom: c, seed: s, socketio: i, vsSeed: c / s, vsSocketIo: c / i, target, met: met(c, s, i) });
  };
  metric(
    `${fanoutScenario}: server CPU s per 1M deliveries`,
    (k) => one(rows, fanoutScenario, k)?.cpuSecPerMillion ?? Number.NaN,
    "≤ 0.6× seed, ≤ 0.5× Socket.IO",
    (c, s, i) => c <= 0.6 * s && c <= 0.5 * i,
  );
  metric(
    `${fanoutScenario}: p99 latency ms`,
    (k) => one(rows, fanoutScenario, k)?.p99Ms ?? Number.NaN,
    "≤ seed",
    (c, s) => c <= s,
  );
  metric(
    "saturation: max sustained deliveries/s",
    (k) => maxSustained(rows, k),
    "≥ 1.3× seed, ≥ 1.6× Socket.IO",
    (c, s, i) => c >= 1.3 * s && c >= 1.6 * i,
  );
  metric(
    "idle memory: KiB per connection",
    (k) => Number(one(rows, "idle memory", k)?.extra.kibPerConnection ?? Number.NaN),
    "≤ 10 KiB",
    (c) => c <= 10,
  );
  metric(
    "connection storm: all welcomed (1 = yes)",
    (k) => (one(rows, "connection storm", k)?.extra.allWelcomed ? 1 : 0),
    "every welcome received",
    (c) => c === 1,
  );
  // Only when the run has the mixed row: the baselines have no reactions or edits, so no figure of theirs.
  const mixed = mixedComparisons(rows).find((c) => c.mixed === `${fanoutScenario} mixed`);
  if (mixed)
    out.push({
      goal: `${fanoutScenario} mixed (70 % chats, 20 % reactions, 10 % edits): CPU per delivery ÷ chat-only (same run)`,
      chatroom: mixed.ratio,
      seed: Number.NaN,
      socketio: Number.NaN,
      vsSeed: Number.NaN,
      vsSocketIo: Number.NaN,
      target: `${mixed.target}, 0 errors (baselines: no reactions or edits)`,
      met: mixed.met,
    });
  const inbound = rows.find((r) => r.scenario === "inbound store");
  const stored = Number(inbound?.extra.storedPerSec ?? 0);
  out.push({
    goal: "inbound: stored msgs/s (acked after commit)",
    chatroom: stored,
    seed: Number.NaN,
    socketio: Number.NaN,
    vsSeed: Number.NaN,
    vsSocketIo: Number.NaN,
    target: "≥ 20,000",
    met: stored >= 20_000,
  });
  const twoNodes = rows.find((r) => r.scenario === CLUSTER_INBOUND_TARGET_ROW);
  if (twoNodes) {
    const clusterStored = Number(twoNodes.extra.storedPerSec ?? 0);
    out.push({
      goal: "cluster inbound, 2 nodes on PostgreSQL + Redis: stored msgs/s (acked after COMMIT), no loss",
      chatroom: clusterStored,
      seed: Number.NaN,
      socketio: Number.NaN,
      vsSeed: Number.NaN,
      vsSocketIo: Number.NaN,
      target: `≥ ${CLUSTER_INBOUND_TARGET.toLocaleString("en-US")}`,
      met: clusterStored >= CLUSTER_INBOUND_TARGET && twoNodes.extra.noLoss === true,
    });
  }
  return out;
}

/** The [6/6] target's row (cluster-report.ts has the target). */
const CLUSTER_INBOUND_TARGET_ROW = "cluster inbound: 2 nodes, PostgreSQL + Redis";

export function markdown(rows: Row[], goalRows: Goal[], header: string): string {
  const lines: string[] = [header, ""];
  lines.push(
    "| scenario | server | clients | offered/s | delivered/s | delivered | p50 ms | p90 ms | p99 ms | max ms | server CPU | CPU s / 1M deliveries | peak RSS MiB | generator CPU | errors | notes |",
  );
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${r.server} | ${int(r.clients)} | ${r.offeredPerSec ? int(r.offeredPerSec) : "–"} | ${r.deliveredPerSec ? int(r.deliveredPerSec) : "–"} | ${r.expected ? `${fmt(r.deliveredPct)} %` : "–"} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p90Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.maxMs, 1)} | ${fmt(r.serverCpuPct, 0)} % | ${fmt(r.cpuSecPerMillion, 2)} | ${fmt(r.peakRssMiB, 0)} | ${fmt(r.generatorCpuPct, 0)} % | ${r.errors} | ${notes(r)} |`,
    );
  }
  lines.push("", "| goal | Chatroom | seed | Socket.IO | ÷ seed | ÷ Socket.IO | target | met |", "|---|---:|---:|---:|---:|---:|---|---|");
  for (const g of goalRows) {
    lines.push(
      `| ${g.goal} | ${fmt(g.chatroom, 2)} | ${fmt(g.seed, 2)} | ${fmt(g.socketio, 2)} | ${fmt(g.vsSeed, 2)} | ${fmt(g.vsSocketIo, 2)} | ${g.target} | ${g.met ? "yes" : "**no**"} |`,
    );
  }
  const mixed = mixedComparisons(rows);
  if (mixed.length > 0) {
    lines.push(
      "",
      "Mixed load, Chatroom only: the same fan-out with 70 % chats, 20 % reactions, 10 % edits, against chat-only windows alternating with them on the same server (mixed-scenario.ts). The seed and Socket.IO have no reactions or edits, so they have no mixed row.",
      "",
      "| chat-only | mixed | chat-only CPU s / 1M | mixed CPU s / 1M | mixed ÷ chat-only | target | errors (mixed / chat-only) | met |",
      "|---|---|---:|---:|---:|---|---:|---|",
    );
    for (const c of mixed)
      lines.push(
        `| ${c.chatOnly} | ${c.mixed} | ${fmt(c.chatOnlyCpuSecPerMillion, 2)} | ${fmt(c.mixedCpuSecPerMillion, 2)} | ${fmt(c.ratio, 3)} | ${c.target} | ${c.mixedErrors} / ${c.chatOnlyErrors} | ${c.met ? "yes" : "**no**"} |`,
      );
  }
  return lines.join("\n");
}

function notes(r: Row): string {
  const e = r.extra;
  const parts: string[] = [];
  if (e.sustained !== undefined) parts.push(e.sustained ? "sustained" : "over the limit");
  if (e.kibPerConnection !== undefined)
    parts.push(
      `${fmt(Number(e.kibPerConnection), 1)} KiB/conn (RSS ${fmt(Number(e.rssBeforeMiB), 0)} → ${fmt(Number(e.rssAfterMiB), 0)} MiB)`,
    );
  if (e.joinMs !== undefined)
    parts.push(
      `${e.welcomes} welcomes in ${e.joinMs} ms; ${e.systemFrames} system frames (${fmt(Number(e.systemFramesPerClient), 1)}/client, ${fmt(Number(e.systemMiB), 1)} MiB)`,
    );
  if (e.storedPerSec !== undefined)
    parts.push(`${int(Number(e.storedPerSec))} stored/s, ack p50 ${fmt(Number(e.ackP50Ms), 2)} / p99 ${fmt(Number(e.ackP99Ms), 2)} ms`);
  if (e.nodes !== undefined) {
    if (e.postgresCpuSec !== undefined)
      parts.push(`PostgreSQL CPU ${fmt(Number(e.postgresCpuSec), 2)} s (${fmt(Number(e.postgresCpuSecPerMillion), 2)} s/M)`);
    if (e.redisCpuSec !== undefined)
      parts.push(`Redis CPU ${fmt(Number(e.redisCpuSec), 2)} s (${fmt(Number(e.redisCpuSecPerMillion), 2)} s/M)`);
    const lost = e.perClientMin === undefined ? `${r.delivered} of ${r.expected}` : `${e.perClientMin}–${e.perClientMax} of ${r.sent}`;
    parts.push(`every client got every message: ${e.noLoss ? "yes" : `**no** (${lost})`}`);
  }
  if (e.sentChats !== undefined) {
    const sent = (key: string) => Number(e[key] ?? 0);
    const pct = (n: number) => (r.sent === 0 ? "–" : `${fmt((100 * n) / r.sent, 1)} %`);
    const reactions = sent("sentReactionsOn") + sent("sentReactionsOff");
    parts.push(
      `sent ${sent("sentChats")} chats (${pct(sent("sentChats") + sent("sentFallbacks"))}${sent("sentFallbacks") ? `, ${sent("sentFallbacks")} in place of a change` : ""}), ${reactions} reactions (${pct(reactions)}; ${sent("sentReactionsOff")} off), ${sent("sentEdits")} edits (${pct(sent("sentEdits"))}); received ${e.receivedChats} chats, ${e.receivedReactions} reactions, ${e.receivedEdits} edits`,
    );
  }
  if (r.errorSamples.length > 0) parts.push(`e.g. ${r.errorSamples[0]?.replaceAll("|", "/").slice(0, 60)}`);
  return parts.join("; ");
}

/** Latency (p50 dashed, p99 solid, log scale) against offered load, from the saturation steps. */
export function latencyChart(rows: Row[], title: string): string {
  const W = 760;
  const H = 420;
  const left = 70;
  const right = 180;
  const top = 40;
  const bottom = 60;
  const steps = rows.filter((r) => r.scenario === "saturation" && Number.isFinite(r.p99Ms));
  const maxX = Math.max(1, ...steps.map((r) => r.offeredPerSec));
  const minY = 0.1;
  const maxY = Math.max(1000, ...steps.map((r) => r.p99Ms));
  const x = (v: number) => left + (v / maxX) * (W - left - right);
  const y = (v: number) =>
    top + (1 - (Math.log10(Math.max(minY, v)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))) * (H - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2 - right / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (let decade = -1; 10 ** decade <= maxY; decade++) {
    const v = 10 ** decade;
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1 ? v : v.toFixed(1)} ms</text>`);
  }
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = (maxX / ticks) * i;
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top}" y2="${H - bottom}" stroke="#f3f4f6"/>`);
    out.push(`<text x="${x(v)}" y="${H - bottom + 16}" text-anchor="middle">${Math.round(v / 1000)}k</text>`);
  }
  out.push(`<line x1="${left}" x2="${W - right}" y1="${y(200)}" y2="${y(200)}" stroke="#9ca3af" stroke-dasharray="2 3"/>`);
  out.push(`<text x="${W - right - 4}" y="${y(200) - 4}" text-anchor="end" fill="#6b7280">p99 limit 200 ms</text>`);
  out.push(
    `<text x="${(left + W - right) / 2}" y="${H - 20}" text-anchor="middle">offered deliveries/s (${steps[0]?.clients ?? "?"} clients, one room)</text>`,
  );
  out.push(
    `<text transform="translate(16 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">latency, send → receipt (log)</text>`,
  );
  KINDS.forEach((kind, k) => {
    const mine = steps.filter((r) => r.server === kind).sort((a, b) => a.offeredPerSec - b.offeredPerSec);
    if (mine.length === 0) return;
    const path = (pick: (r: Row) => number) =>
      mine.map((r, i) => `${i === 0 ? "M" : "L"}${x(r.offeredPerSec).toFixed(1)},${y(pick(r)).toFixed(1)}`).join(" ");
    out.push(`<path d="${path((r) => r.p99Ms)}" fill="none" stroke="${COLORS[kind]}" stroke-width="2"/>`);
    out.push(`<path d="${path((r) => r.p50Ms)}" fill="none" stroke="${COLORS[kind]}" stroke-width="1.5" stroke-dasharray="5 4"/>`);
    for (const r of mine)
      out.push(`<circle cx="${x(r.offeredPerSec).toFixed(1)}" cy="${y(r.p99Ms).toFixed(1)}" r="3" fill="${COLORS[kind]}"/>`);
    const ly = top + 10 + k * 22;
    out.push(`<line x1="${W - right + 14}" x2="${W - right + 38}" y1="${ly}" y2="${ly}" stroke="${COLORS[kind]}" stroke-width="2"/>`);
    out.push(`<text x="${W - right + 44}" y="${ly + 4}">${escapeXml(SERVER_LABELS[kind].replace(/ \(.*/, ""))}</text>`);
  });
  const ly = top + 10 + KINDS.length * 22 + 6;
  out.push(`<text x="${W - right + 14}" y="${ly}" fill="#374151">solid: p99, dashed: p50</text>`);
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
