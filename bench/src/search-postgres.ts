/**
 * Search on PostgreSQL, measured on the search scenario's corpus (search-corpus.ts: same seed,
 * same shape, one room), in the store alone: the same measure as search-explain.ts gives for
 * SQLite (no server, no socket), so the two compare directly.
 *
 * `node --import tsx bench/src/search-postgres.ts [messages] [repetitions]` starts a temporary
 * PostgreSQL (initdb on a free port, removed at the end), builds the room, prints the build, the
 * sizes, each kind's plans and p50/p95. `buildPostgresSearchRoom` and `measurePostgresSearch`
 * are the hooks for a PostgreSQL variant of the bench's search scenario.
 */
import { parseSearchQuery } from "@chatroom/protocol";
import type { SearchPosition } from "../../apps/server/src/backend/message-search";
import { PgMessageSearch, planOf } from "../../apps/server/src/backend/postgres/message-search";
import { migrate } from "../../apps/server/src/backend/postgres/migrate";
import { createPgPool } from "../../apps/server/src/backend/postgres/pool";
import { writeSearchDocs } from "../../apps/server/src/backend/postgres/search-docs";
import { cjkGramsOf, indexTextOf } from "../../apps/server/src/backend/postgres/search-text";
import { CORPUS_DEFAULTS, SearchCorpus } from "./search-corpus";
import { percentile } from "./search-measure";
import { type BenchQuery, benchQueries, SEARCH_KIND_LABELS, SEARCH_KINDS, type SearchKind } from "./search-queries";
import { exponential, seededRandom } from "./search-random";
import { SEARCH_DEFAULTS } from "./search-scenario";

type Pool = ReturnType<typeof createPgPool>;

export interface PgBuildResult {
  messages: number;
  buildMs: number;
  /** The part of `buildMs` spent in writeSearchDocs (in the batch's transaction, as an indexer slice's is; ticks only queue the chats since migration 4). */
  indexMs: number;
  /** Table (with its TOAST) and index sizes, largest first. */
  relations: Array<{ name: string; bytes: number }>;
}

/**
 * Fills `room` with the corpus the way the message store writes a tick: `chats` rows, then
 * `writeSearchDocs` for them, `batch` chats per transaction. Timestamps as search-build.ts makes them.
 */
export async function buildPostgresSearchRoom(
  pool: Pool,
  corpus: SearchCorpus,
  options: { room: string; batch: number; log: (message: string) => void },
): Promise<PgBuildResult> {
  const random = seededRandom(corpus.options.seed ^ 0x7157);
  let ts = SEARCH_DEFAULTS.startTs;
  const started = performance.now();
  let indexMs = 0;
  let seq = 0;
  let lastLog = started;
  const messages = corpus.messages();
  for (let done = false; !done; ) {
    const rows: Array<{ seq: number; ts: number; id: string; name: string; text: string }> = [];
    for (let next = messages.next(); !next.done; next = messages.next()) {
      ts += Math.max(1, Math.round(exponential(random, SEARCH_DEFAULTS.meanGapMs)));
      rows.push({ seq: ++seq, ts, id: next.value.author.id, name: next.value.author.name, text: next.value.text });
      if (rows.length >= options.batch) break;
    }
    if (rows.length < options.batch) done = true;
    if (rows.length === 0) break;
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, rev)
         SELECT $1, seq, 'm' || seq, user_id, user_name, text, ts, 'bench-' || seq, seq
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[]) AS r(seq, ts, user_id, user_name, text)`,
        [
          options.room,
          rows.map((r) => r.seq),
          rows.map((r) => r.ts),
          rows.map((r) => r.id),
          rows.map((r) => r.name),
          rows.map((r) => r.text),
        ],
      );
      const indexing = performance.now();
      await writeSearchDocs(
        client,
        rows.map((r) => ({ room: options.room, seq: r.seq, text: r.text })),
      );
      indexMs += performance.now() - indexing;
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (performance.now() - lastLog > 5_000) {
      lastLog = performance.now();
      options.log(`postgres search build: ${seq.toLocaleString("en-US")} messages, ${Math.round(seq / ((lastLog - started) / 1000))}/s`);
    }
  }
  await pool.query("VACUUM ANALYZE chats");
  await pool.query("VACUUM ANALYZE search_docs");
  const { rows } = await pool.query<{ name: string; bytes: number }>(
    `SELECT c.relname AS name, (CASE WHEN c.relkind = 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END)::bigint AS bytes FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')
     AND (c.relname LIKE 'search_docs%' OR c.relname LIKE 'chats%') ORDER BY 2 DESC`,
  );
  return { messages: seq, buildMs: performance.now() - started, indexMs, relations: rows };
}

/**
 * What indexing costs on the built room, in transactions of the indexer's kind (ticks no longer
 * index: they queue): `ticks` transactions of `size` new chats each (rows, then writeSearchDocs),
 * the writeSearchDocs part timed, and the JS part of it
 * (fold and grams) timed apart. Per chat, in microseconds.
 */
export async function measureTickIndexing(
  pool: Pool,
  options: { room: string; ticks: number; size: number; texts: readonly string[] },
): Promise<{ indexUsPerChat: number; jsUsPerChat: number }> {
  const { rows } = await pool.query<{ seq: number | null; ts: number | null }>(
    "SELECT max(seq) AS seq, max(ts) AS ts FROM chats WHERE room = $1",
    [options.room],
  );
  let seq = rows[0]?.seq ?? 0;
  let ts = rows[0]?.ts ?? SEARCH_DEFAULTS.startTs;
  let indexMs = 0;
  let chats = 0;
  for (let tick = 0; tick < options.ticks; tick++) {
    const batch = Array.from({ length: options.size }, (_, i) => ({
      seq: ++seq,
      ts: ++ts,
      text: options.texts[(tick * options.size + i) % options.texts.length] as string,
    }));
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, rev)
         SELECT $1, seq, 'm' || seq, 'u_tick', 'Tick', text, ts, 'tick-' || seq, seq
         FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS r(seq, ts, text)`,
        [options.room, batch.map((c) => c.seq), batch.map((c) => c.ts), batch.map((c) => c.text)],
      );
      const started = performance.now();
      await writeSearchDocs(
        client,
        batch.map((c) => ({ room: options.room, seq: c.seq, text: c.text })),
      );
      indexMs += performance.now() - started;
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    chats += batch.length;
  }
  const started = performance.now();
  for (let i = 0; i < chats; i++) cjkGramsOf(indexTextOf(options.texts[i % options.texts.length] as string)).join(" ");
  const jsMs = performance.now() - started;
  return { indexUsPerChat: (indexMs * 1000) / chats, jsUsPerChat: (jsMs * 1000) / chats };
}

export interface PgKindMeasure {
  kind: SearchKind;
  p50Ms: number;
  p95Ms: number;
  samples: number;
  /** Most requests one query needed to fill its page (a `next` followed while the page was short). */
  maxRequests: number;
  /** Queries whose answer had fewer hits than the room is known to hold. */
  short: number;
}

/** Each kind's queries `repetitions` times after one warm-up pass, kinds interleaved; timed in the store alone. */
export async function measurePostgresSearch(
  pool: Pool,
  queries: Record<SearchKind, BenchQuery[]>,
  options: { room: string; repetitions: number },
): Promise<PgKindMeasure[]> {
  const search = new PgMessageSearch({ pool });
  const times = new Map<SearchKind, number[]>(SEARCH_KINDS.map((kind) => [kind, []]));
  const requests = new Map<SearchKind, number>();
  const short = new Map<SearchKind, number>();
  for (let round = 0; round <= options.repetitions; round++) {
    for (const kind of SEARCH_KINDS) {
      for (const query of queries[kind]) {
        const parsed = parseSearchQuery(query.query);
        if (!parsed.ok) throw new Error(`${query.query}: ${parsed.reason}`);
        const want = Math.min(SEARCH_DEFAULTS.pageLimit, query.messages);
        const started = performance.now();
        let hits = 0;
        let pages = 0;
        let after: SearchPosition | undefined;
        do {
          const page = await search.search({
            query: parsed.query,
            rooms: [options.room],
            limit: SEARCH_DEFAULTS.pageLimit,
            ...(after ? { after } : {}),
          });
          hits += page.hits.length;
          after = page.next;
          pages++;
        } while (hits < want && after);
        if (round === 0) continue;
        times.get(kind)?.push(performance.now() - started);
        requests.set(kind, Math.max(requests.get(kind) ?? 0, pages));
        if (hits < want) short.set(kind, (short.get(kind) ?? 0) + 1);
      }
    }
  }
  return SEARCH_KINDS.map((kind) => {
    const samples = times.get(kind) ?? [];
    return {
      kind,
      p50Ms: percentile(samples, 50),
      p95Ms: percentile(samples, 95),
      samples: samples.length,
      maxRequests: requests.get(kind) ?? 0,
      short: short.get(kind) ?? 0,
    };
  });
}

/** The plans of the statements one query of `kind` runs (EXPLAIN ANALYZE, so the real path). */
async function explainKind(pool: Pool, query: BenchQuery, room: string): Promise<string[]> {
  const parsed = parseSearchQuery(query.query);
  if (!parsed.ok) return [];
  const lines: string[] = [];
  const client = await pool.connect();
  const query_ = client.query.bind(client);
  try {
    // Each statement the search runs, EXPLAINed as it runs it (same SQL, same parameters).
    const search = new PgMessageSearch({
      pool: {
        query: async (sql: string, values: unknown[]) => {
          const plan = await query_(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`, values);
          lines.push(...plan.rows.map((row: Record<string, string>) => Object.values(row)[0] as string), "--");
          return query_(sql, values);
        },
      } as unknown as Pool,
    });
    await search.search({ query: parsed.query, rooms: [room], limit: SEARCH_DEFAULTS.pageLimit });
  } finally {
    client.release();
  }
  return lines;
}

async function main(): Promise<void> {
  const messages = Number(process.argv[2] ?? 1_000_000);
  const repetitions = Number(process.argv[3] ?? 20);
  const { startPostgres } = await import("../../apps/server/test/support/postgres-process");
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const server = await startPostgres({ database: "search_bench" });
  const pool = createPgPool(server.url, { max: 2 });
  try {
    await migrate(pool);
    const seed = SEARCH_DEFAULTS.seed;
    const corpus = new SearchCorpus({ ...CORPUS_DEFAULTS, seed, messages, authors: 2_000 });
    const room = SEARCH_DEFAULTS.room;
    const build = await buildPostgresSearchRoom(pool, corpus, { room, batch: 10_000, log });
    const queries = benchQueries(corpus, 20, seed);
    // Texts for the ticks: the start of the same corpus again.
    const texts = [...new SearchCorpus({ ...CORPUS_DEFAULTS, seed, messages: 5_000, authors: 2_000 }).messages()].map((m) => m.text);
    const tick = await measureTickIndexing(pool, { room: `${room}-ticks`, ticks: 50, size: 100, texts });
    const out: string[] = [
      `## PostgreSQL search: ${build.messages.toLocaleString("en-US")} messages, seed ${seed}`,
      "",
      `Build: ${(build.buildMs / 1000).toFixed(1)} s (${Math.round(build.messages / (build.buildMs / 1000))} messages/s), of which writeSearchDocs ${(build.indexMs / 1000).toFixed(1)} s (${((build.indexMs * 1000) / build.messages).toFixed(1)} µs a chat, in batches of 10,000).`,
      `A tick of 100 chats on the built store: writeSearchDocs ${tick.indexUsPerChat.toFixed(1)} µs a chat, of which JS (fold, grams) ${tick.jsUsPerChat.toFixed(1)} µs.`,
      "",
      "| relation | MiB |",
      "|---|---:|",
      ...build.relations.map((r) => `| ${r.name} | ${(r.bytes / 2 ** 20).toFixed(1)} |`),
      "",
      "| kind | p50 ms | p95 ms | samples | requests (max) | short answers |",
      "|---|---:|---:|---:|---:|---:|",
    ];
    for (const m of await measurePostgresSearch(pool, queries, { room, repetitions })) {
      out.push(
        `| ${SEARCH_KIND_LABELS[m.kind]} | ${m.p50Ms.toFixed(2)} | ${m.p95Ms.toFixed(2)} | ${m.samples} | ${m.maxRequests} | ${m.short} |`,
      );
    }
    for (const kind of SEARCH_KINDS) {
      const sample = queries[kind][0];
      if (!sample) continue;
      const parsed = parseSearchQuery(sample.query);
      const plan = parsed.ok ? planOf(parsed.query) : undefined;
      out.push("", `### ${SEARCH_KIND_LABELS[kind]}: \`${sample.query}\` (${JSON.stringify(plan)})`, "", "```");
      out.push(...(await explainKind(pool, sample, room)), "```");
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    await pool.end();
    await server.stop();
  }
}

if (process.argv[1]?.endsWith("search-postgres.ts")) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
