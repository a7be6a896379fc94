import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { ResumingClient } from "../support/resuming-client";
import { type StartedServer, startServer } from "../support/start-server";
import { waitUntil } from "../support/wait-until";

const ROOMS = ["crash-a", "crash-b"];
let postgres: PostgresProcess;
const servers: StartedServer[] = [];
const people: ResumingClient[] = [];

beforeAll(async () => {
  postgres = await startPostgres({ database: "crash" });
}, 120_000);
afterAll(async () => {
  await Promise.all(people.map((person) => person.stop()));
  await Promise.all(servers.map((server) => server.close()));
  await postgres?.stop();
});

describe("PostgreSQL killed mid-stream", () => {
  it("kill -9 of PostgreSQL and a restart (WAL recovery): nothing acked is lost, no seq is reused, every log ends gap-free and identical", async () => {
    const server = await startServer({ DATABASE_URL: postgres.url, RATE_PER_SECOND: "100000", RATE_BURST: "100000" });
    servers.push(server);
    // While the store is away the server refuses sends (server_error): the clients send them again, as the real one does.
    for (const name of ["ann", "ben", "cat"])
      people.push(new ResumingClient({ name, rooms: ROOMS, endpoints: [server.wsUrl], resendRefused: true }));
    await Promise.all(people.map((person) => person.start()));

    const perPerson = 120;
    const total = perPerson * people.length;
    // Random, but printed and replayable: CRASH_AFTER=<n> pnpm exec vitest run <this file>.
    const crashAfter = Number(process.env.CRASH_AFTER ?? 40 + Math.floor(Math.random() * (total - 80)));
    console.info(`crashAfter=${crashAfter} (replay: CRASH_AFTER=${crashAfter} pnpm exec vitest run ${import.meta.filename})`);
    let sent = 0;
    let crashed: Promise<void> | undefined;
    const ackedBeforeCrash = new Map<string, { room: string; seq: number }>();
    await Promise.all(
      people.map(async (person) => {
        for (let i = 0; i < perPerson; i++) {
          person.send(`${person.name} ${i}`, ROOMS[i % ROOMS.length]);
          if (++sent === crashAfter) {
            crashed = postgres.crash().then(() => {
              for (const p of people) for (const ack of p.acks) ackedBeforeCrash.set(ack.clientMsgId, { room: ack.room, seq: ack.seq });
            });
          }
          // Some acked, some in flight when the crash lands; a wait under way ends with the crash.
          if (i % 4 === 0 && !crashed)
            await waitUntil(() => person.pending <= 3 || crashed !== undefined, { what: `${person.name}'s acks` });
        }
      }),
    );
    await crashed;
    await postgres.restart();

    const sentIn = (room: string) => people.flatMap((person) => person.sent.filter((entry) => entry.room === room));
    const context = `crashAfter=${crashAfter}, acked before the crash=${ackedBeforeCrash.size}`;
    await waitUntil(
      () => people.every((person) => person.pending === 0 && ROOMS.every((room) => person.log(room).size === sentIn(room).length)),
      {
        what: "every message in every log after the restart",
        timeoutMs: 30_000,
        describe: () => `${context}; ${people.map((p) => `${p.name}: pending ${p.pending}`).join(", ")}`,
      },
    );
    for (const room of ROOMS) {
      const logs = people.map((person) => [...person.log(room).values()].sort((a, b) => a.seq - b.seq));
      const reference = logs[0] ?? [];
      expect(
        reference.map((message) => message.seq),
        `${room} ${context}`,
      ).toEqual(Array.from({ length: sentIn(room).length }, (_, i) => i + 1));
      for (const log of logs) expect(log).toEqual(reference);
      expect(new Set(reference.map((message) => message.clientMsgId)).size).toBe(reference.length);
    }
    // Every ack, before the crash or after, names the seq its message has now: none was reused.
    const seqOf = new Map(
      ROOMS.flatMap((room) => [...(people[0] as ResumingClient).log(room).values()].map((m) => [m.clientMsgId, { room, seq: m.seq }])),
    );
    for (const [clientMsgId, acked] of ackedBeforeCrash) expect(seqOf.get(clientMsgId), `${clientMsgId} ${context}`).toEqual(acked);
    for (const person of people)
      for (const ack of person.acks) expect(seqOf.get(ack.clientMsgId)).toEqual({ room: ack.room, seq: ack.seq });
    expect(Number((await postgres.psql("SELECT count(*) FROM events")).trim())).toBe(total);
  });
});
