/**
 * Black-box test of protocol 2: two independent clients written from docs/protocol.md alone
 * (./docs-client.ts, plain `ws` + JSON) hold three rooms each on one connection against the REAL
 * server process on SQLite, while their sockets are terminated mid-stream and the server is killed
 * with SIGKILL and restarted on the same port and DATA_DIR. At the end every message either client
 * sent is in both clients' logs exactly once with the same seq, the logs are gap-free and
 * identical, and `ready` reports the memberships and unread counts the logs imply.
 *
 * Seeded: the order of sends across rooms comes from DOCS_CLIENT_SEED (printed). Every wait is on
 * a condition (an ack, a frame, a state) and bounded by a timeout that fails loudly.
 *
 * Run it from the repository root (the vitest config's `include` is relative to it):
 *   pnpm vitest run apps/server/test/blackbox/docs-client.test.ts
 * DOCS_CLIENT_SEED=<n> repeats a run's send order; DOCS_CLIENT_TRACE=1 prints each client's
 * connection trace on success too (it is always printed on failure).
 */
import { expect, it } from "vitest";
import { freePort } from "../support/free-port";
import { type ServerProcess, spawnServer } from "../support/server-process";
import { tempDir } from "../support/temp-dir";
import { waitUntil } from "../support/wait-until";
import { DocClient, type Entry, probeReady, seededRandom, waitFor } from "./docs-client";

const SEED = Number(process.env.DOCS_CLIENT_SEED ?? Math.floor(Math.random() * 1_000_000));
const ROOMS = ["bb-alpha", "bb-beta", "bb-gamma"] as const;
const SORTED_ROOMS: string[] = [...ROOMS].sort();
/** The room at a random position in ROOMS. */
const roomAt = (unit: number): string => ROOMS[Math.floor(unit * ROOMS.length) % ROOMS.length] ?? ROOMS[0];
const WELCOME_LATEST = 5;
const WELCOME_SINCE_MAX = 5;
/** Messages each client's user adds per phase: the drops happen while a batch is half acked. */
const BATCH = 30;
const SEED_PER_ROOM = 12;

it(`two doc clients, three rooms each on one connection, survive socket drops and a SIGKILL restart (seed ${SEED})`, async () => {
  console.log(`docs-client seed: ${SEED} (rerun with DOCS_CLIENT_SEED=${SEED})`);
  const started = Date.now();
  const dir = tempDir("chatroom-blackbox-");
  const port = await freePort();
  const env = {
    PORT: String(port),
    DATA_DIR: dir.path,
    HISTORY: "sqlite",
    // Faster than the defaults so the run stays short; the client paces itself by ready.limits.
    RATE_PER_SECOND: "100",
    RATE_BURST: "20",
    // Small welcome sizes, so joins come back complete:false and the gap recipes run.
    WELCOME_LATEST: String(WELCOME_LATEST),
    WELCOME_SINCE_MAX: String(WELCOME_SINCE_MAX),
  };
  let generation = 1;
  let server: ServerProcess = spawnServer(env);
  const servers: ServerProcess[] = [server];
  const random = seededRandom(SEED);
  const client = (name: string, tag: string, readRooms: string[], jitterSeed: number) =>
    new DocClient({
      url: `ws://127.0.0.1:${port}/ws`,
      name,
      tag,
      rooms: [...ROOMS],
      readRooms,
      random: seededRandom(jitterSeed),
      welcomeLatest: WELCOME_LATEST,
      welcomeSinceMax: WELCOME_SINCE_MAX,
      historyLimit: 4,
      windowOnline: 10,
      windowOffline: 16,
      backoffBaseMs: 50,
      backoffMaxMs: 400,
      serverGeneration: () => generation,
    });
  const alice = client("alice", "a", [ROOMS[0], ROOMS[1]], SEED + 1);
  const bob = client("bob", "b", [ROOMS[1], ROOMS[2]], SEED + 2);
  const both = [alice, bob];
  const plan = (who: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ room: roomAt(random()), text: `${who} ${i} ${random().toString(36).slice(2, 8)}` }));
  const acked = () => alice.ackedCount + bob.ackedCount;
  const moreAcks = async (count: number, what: string, timeoutMs = 10_000) => {
    const target = acked() + count;
    await waitFor(both, () => acked() >= target, `${count} more acks (${what})`, timeoutMs);
  };
  /** Terminates c's socket and waits for a new connection of c to have joined every room again. */
  const dropAndResume = async (c: DocClient, what: string, gate?: Promise<void>, timeoutMs = 10_000) => {
    const before = c.connectionNumber;
    c.drop(gate);
    // The gate first: if it never opens, that is the failure to report.
    await gate;
    await waitFor(both, () => c.connectionNumber > before && c.settled, `${c.opts.name} resumed after ${what}`, timeoutMs);
  };
  const gateUntil = (condition: () => boolean, what: string) => waitFor(both, condition, what, 10_000);
  const phases: string[] = [];
  const phase = (text: string) => phases.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${text}`);

  try {
    await server.ready();
    phase("server up");

    // 1. alice alone: hello and three joins at once, then 12 messages per room, so bob's first
    //    join (latest 5) comes back complete:false and pages older ones with `before`.
    alice.start();
    const seedPlan = ROOMS.flatMap((room) => Array.from({ length: SEED_PER_ROOM }, (_, i) => ({ room, text: `seed ${room} ${i}` })));
    // In a seeded random order.
    alice.addPlan(
      seedPlan
        .map((message) => ({ message, key: random() }))
        .sort((a, b) => a.key - b.key)
        .map(({ message }) => message),
    );
    await waitFor(both, () => alice.ackedCount === seedPlan.length && alice.outboxSize === 0, "alice's seed messages acked", 10_000);
    phase("alice seeded");

    // 2. bob joins the three rooms late.
    bob.start();
    await waitFor(both, () => bob.settled, "bob joined all three rooms and paged the older history", 10_000);
    expect(bob.stats.joinedIncompleteFirst).toBe(ROOMS.length);
    phase("bob joined");

    // 3. Both stream, in a seeded random order across rooms. Each phase adds a batch per client
    //    (so how much is sent does not depend on timing) and drops a socket while the batch is
    //    half acked, with the rest in flight or in the outbox.
    const batch = (count = BATCH) => {
      alice.addPlan(plan("alice", count));
      bob.addPlan(plan("bob", count));
    };
    batch();
    await moreAcks(BATCH, "before alice's first drop");
    await dropAndResume(alice, "drop 1");
    phase("alice drop 1");

    batch();
    await moreAcks(BATCH, "before bob's first drop");
    await dropAndResume(bob, "drop 1");
    phase("bob drop 1");

    // alice stays away while bob stores 45 more (more than WELCOME_SINCE_MAX in some room), so her
    // resume is complete:false and she fills forward with `after` pages.
    batch();
    await moreAcks(BATCH, "before alice's long drop");
    bob.addPlan(plan("bob", 60));
    const bobTarget = bob.ackedCount + 45;
    await dropAndResume(
      alice,
      "the long drop",
      gateUntil(() => bob.ackedCount >= bobTarget, "bob acked 45 while alice was away"),
      15_000,
    );
    expect(alice.stats.joinedIncompleteSince).toBeGreaterThan(0);
    phase("alice long drop");

    // 4. SIGKILL mid-stream, restart on the same port and DATA_DIR.
    batch();
    await moreAcks(BATCH, "before the SIGKILL");
    const acksBeforeKill = new Map(both.map((c) => [c, [...c.acks.keys()]]));
    await server.kill("SIGKILL");
    phase("server killed");
    generation = 2;
    server = spawnServer(env);
    servers.push(server);
    await server.ready();
    phase("server restarted");
    const readyFromRestart = (c: DocClient) => c.readies.some((r) => r.serverGeneration === 2);
    await waitFor(both, () => both.every((c) => readyFromRestart(c) && c.settled), "both clients resumed on the restarted server", 15_000);
    phase("both resumed");
    // Acks "lost" across the kill: resend three messages acked before it; the restarted server must
    // recognise them (same seq and ts) and store nothing.
    for (const c of both) c.forgetAcks((acksBeforeKill.get(c) ?? []).slice(-3));

    // 5. bob stays away while alice stores 45 more.
    batch();
    await moreAcks(BATCH, "before bob's long drop");
    alice.addPlan(plan("alice", 60));
    const aliceTarget = alice.ackedCount + 45;
    await dropAndResume(
      bob,
      "the long drop",
      gateUntil(() => alice.ackedCount >= aliceTarget, "alice acked 45 while bob was away"),
      15_000,
    );
    expect(bob.stats.joinedIncompleteSince).toBeGreaterThan(0);
    phase("bob long drop");

    // 6. Both at once.
    batch();
    await moreAcks(BATCH, "before the double drop");
    await Promise.all([dropAndResume(alice, "the double drop"), dropAndResume(bob, "the double drop")]);
    phase("double drop");

    // 7. Everything planned is acked; both logs reach the latest seq of every room.
    await waitFor(both, () => both.every((c) => c.planDone && c.outboxSize === 0), "every planned message acked", 20_000);
    // Acks lost once more, now on a live connection: resent and deduplicated.
    for (const c of both) c.forgetAcks([...c.acks.keys()].slice(0, 2));
    await waitFor(both, () => both.every((c) => c.outboxSize === 0), "the deliberate duplicates acked", 10_000);
    const latest = (room: string) => {
      let max = 0;
      for (const c of both) {
        for (const ack of c.acks.values()) if (ack.room === room) max = Math.max(max, ack.seq);
        for (const seq of c.room(room).log.keys()) max = Math.max(max, seq);
      }
      return max;
    };
    await waitFor(
      both,
      () => both.every((c) => c.settled && ROOMS.every((room) => c.room(room).anchor === 1 && c.room(room).highest === latest(room))),
      "both logs gap-free up to every room's latest seq",
      10_000,
    );
    phase("converged");

    // 8. Read markers to the end in the read rooms, a clean close, and a probe `ready` per session.
    for (const c of both) c.markRead();
    for (const c of both) await c.stop();
    const probes = new Map<DocClient, Record<string, unknown>>();
    for (const c of both) {
      const session = c.session ?? "";
      // `read` has no answer frame, so we poll the next ready until the marker shows.
      const ready = await waitUntil(
        async () => {
          const frame = await probeReady(`ws://127.0.0.1:${port}/ws`, session, 5_000);
          const rooms = frame.rooms as { room: string; readSeq: number }[];
          const done = c.opts.readRooms.every((name) => rooms.find((r) => r.room === name)?.readSeq === c.room(name).lastReadSent);
          return done ? frame : undefined;
        },
        { what: `${c.opts.name}'s read markers in a probe ready`, timeoutMs: 5_000, intervalMs: 50 },
      );
      probes.set(c, ready);
    }
    phase("probed");

    // ------------------------------------------------------------ the verdict
    const report = {
      seed: SEED,
      phases,
      stats: Object.fromEntries(both.map((c) => [c.opts.name, c.stats])),
      latest: Object.fromEntries(ROOMS.map((room) => [room, latest(room)])),
      sendOrderInversions: both.flatMap((c) => c.sendOrderInversions()),
      notes: both.flatMap((c) => c.notes),
    };
    console.log(JSON.stringify(report, null, 2));

    expect(both.flatMap((c) => c.violations)).toEqual([]);

    // Memberships: after the restart `ready.rooms` lists the three rooms (and only them).
    for (const c of both) {
      const afterRestart = c.readies.filter((r) => r.serverGeneration === 2);
      expect(afterRestart.length, `${c.opts.name} got a ready from the restarted server`).toBeGreaterThan(0);
      for (const ready of afterRestart) expect(ready.rooms.map((r) => r.room)).toEqual(SORTED_ROOMS);
    }

    // Each room: gap-free 1..latest and identical in both clients.
    for (const room of ROOMS) {
      const top = latest(room);
      for (const c of both) {
        const log = c.room(room).log;
        expect(log.size, `${c.opts.name} ${room} holds exactly 1..${top}`).toBe(top);
        for (let seq = 1; seq <= top; seq += 1) expect(log.has(seq), `${c.opts.name} ${room} seq ${seq}`).toBe(true);
      }
      for (let seq = 1; seq <= top; seq += 1) {
        expect(bob.room(room).log.get(seq), `${room} seq ${seq} is the same message for both`).toEqual(alice.room(room).log.get(seq));
      }
    }

    // Every message either client ever sent: in both logs of its room exactly once, with the seq of its ack.
    const senders = new Map<string, { sender: DocClient; id: string }>();
    for (const c of both) {
      for (const [id, sent] of c.sent) {
        const ack = c.acks.get(id);
        expect(ack, `${id} acked`).toBeDefined();
        for (const holder of both) {
          const copies = [...holder.room(sent.room).log.values()].filter((e) => e.clientMsgId === id && e.fromId === c.you?.id);
          expect(copies.length, `${id} (${c.opts.name} → ${sent.room}) held once by ${holder.opts.name}`).toBe(1);
          expect(copies[0]?.seq, `${id} at its acked seq in ${holder.opts.name}'s log`).toBe(ack?.seq);
          expect(copies[0]?.text).toBe(sent.text);
        }
        senders.set(`${c.you?.id}/${id}`, { sender: c, id });
      }
    }
    // …and nothing else: every stored chat is one of those.
    for (const room of ROOMS) {
      for (const entry of alice.room(room).log.values()) {
        expect(senders.has(`${entry.fromId}/${entry.clientMsgId}`), `${room} seq ${entry.seq} was sent by one of us`).toBe(true);
      }
    }

    // Unread: every ready's counts match the final logs: chats from others with readSeq < seq <= latestSeq.
    const unreadIn = (log: Map<number, Entry>, me: string | undefined, readSeq: number, latestSeq: number) =>
      [...log.values()].filter((e) => e.type === "chat" && e.fromId !== me && e.seq > readSeq && e.seq <= latestSeq).length;
    for (const c of both) {
      for (const ready of c.readies) {
        for (const entry of ready.rooms) {
          const log = c.room(entry.room).log;
          expect(entry.unread, `${c.opts.name} conn#${ready.connection} ready.rooms ${entry.room} unread`).toBe(
            unreadIn(log, c.you?.id, entry.readSeq, entry.latestSeq),
          );
        }
      }
      // The probe after the end: latestSeq is the room's end, readSeq what we sent last (or the
      // membership's start), unread what that implies.
      const probe = probes.get(c);
      const rooms = (probe?.rooms ?? []) as { room: string; latestSeq: number; readSeq: number; unread: number }[];
      expect(rooms.map((r) => r.room)).toEqual(SORTED_ROOMS);
      for (const entry of rooms) {
        const state = c.room(entry.room);
        expect(entry.latestSeq, `${c.opts.name} probe ${entry.room} latestSeq`).toBe(latest(entry.room));
        const expectedRead = c.opts.readRooms.includes(entry.room) ? state.lastReadSent : state.initialReadSeq;
        expect(entry.readSeq, `${c.opts.name} probe ${entry.room} readSeq`).toBe(expectedRead);
        expect(entry.unread, `${c.opts.name} probe ${entry.room} unread`).toBe(
          unreadIn(state.log, c.you?.id, entry.readSeq, entry.latestSeq),
        );
      }
    }

    // The run did exercise what it claims to.
    expect(bob.stats.beforePages).toBeGreaterThan(0);
    expect(alice.stats.afterPages + bob.stats.afterPages).toBeGreaterThan(0);
    expect(alice.stats.resends + bob.stats.resends).toBeGreaterThan(0);
    expect(alice.stats.dedupedAcks).toBeGreaterThanOrEqual(5);
    expect(bob.stats.dedupedAcks).toBeGreaterThanOrEqual(5);
    if (process.env.DOCS_CLIENT_TRACE)
      for (const c of both)
        console.log(
          c.opts.name,
          c
            .lastTrace(5000)
            .split("\n")
            .filter((l) => /open|close|drop|VIOL|rate_limited|"ready"|"joined"/.test(l))
            .join("\n"),
        );
    console.log(`docs-client: passed in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`);
  } catch (error) {
    console.log(`docs-client FAILED (seed ${SEED}); phases:\n${phases.join("\n")}`);
    for (const c of both) {
      console.log(`---- ${c.opts.name}: ${c.describe()}\nviolations:\n${c.violations.join("\n")}\ntrace:\n${c.lastTrace(150)}`);
    }
    for (const s of servers) {
      const { stdout, stderr } = s.output();
      console.log(`---- server on port ${s.port}:\n${stderr.slice(-4000)}${stdout.slice(-4000)}`);
    }
    throw error;
  } finally {
    for (const c of both) await c.stop();
    for (const s of servers) await s.kill("SIGKILL");
    dir.remove();
  }
}, 60_000);
