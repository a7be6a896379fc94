import { describe, expect, it } from "vitest";
import { ResumingClient } from "../support/resuming-client";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";

const cleanup = useCleanup();

describe("server killed mid-stream", () => {
  it("loses no acked message, duplicates nothing, and every client ends with the same gap-free log", async () => {
    const env = await cleanup.serverEnv({ RATE_PER_SECOND: "100000", RATE_BURST: "100000", PRESENCE_GRACE_MS: "100" });
    const first = await cleanup.spawnServer(env);

    const room = "durable";
    const people = ["ann", "ben", "cat"].map((name) => new ResumingClient({ name: name, room: room }));
    for (const person of people) cleanup.defer(() => person.disconnect());
    for (const person of people) await person.connect(first.wsUrl);

    const perClientBeforeKill = 110;
    const total = perClientBeforeKill * people.length;
    // Random, but printed on every run and replayable: KILL_AFTER=<n> pnpm vitest run <this file>.
    const killAfter = Number(process.env.KILL_AFTER ?? 30 + Math.floor(Math.random() * (total - 60)));
    console.info(`killAfter=${killAfter} (replay: KILL_AFTER=${killAfter} pnpm vitest run ${import.meta.filename})`);
    let sentSoFar = 0;
    let killed: Promise<unknown> | undefined;
    const ackedBeforeKill = new Map<string, number>();

    const sendLoop = async (person: ResumingClient) => {
      for (let i = 0; i < perClientBeforeKill; i++) {
        person.send(`${person.name} says ${i}`);
        sentSoFar++;
        if (sentSoFar === killAfter) {
          killed = first.kill("SIGKILL").then(() => {
            for (const p of people) for (const ack of p.acks) ackedBeforeKill.set(ack.clientMsgId, ack.seq);
          });
        }
        // Every third send waits for the sender's earlier messages to be acked, so the kill lands
        // while some messages are acked and others are still in flight.
        if (i % 3 === 0 && !killed) await waitUntil(() => person.pending <= 2 || !person.connected, { what: `${person.name}'s acks` });
      }
    };
    await Promise.all(people.map(sendLoop));
    await killed;
    const context = `killAfter=${killAfter}, acked before kill=${ackedBeforeKill.size}`;
    expect(first.output().stderr, context).toBe("");

    // All sockets must notice the kill before we restart, as real clients would.
    await Promise.all(people.map((person) => person.connection?.closed));
    expect(people.every((person) => !person.connected)).toBe(true);
    // Messages written while the server is down wait in the outbox.
    for (const person of people) person.send(`${person.name} while down`);

    const second = await cleanup.spawnServer(env);
    for (const person of people) await person.connect(second.wsUrl);
    // A few live messages after the restart, on the resumed sessions.
    for (let i = 0; i < 5; i++) for (const person of people) person.send(`${person.name} after restart ${i}`);

    const sentIds = people.flatMap((person) => person.sent.map((pending) => pending.clientMsgId));
    const expectedTotal = sentIds.length;
    await waitUntil(
      () => people.every((person) => person.pending === 0 && person.contiguousSeq === expectedTotal && person.log.size === expectedTotal),
      {
        what: "every message in every log",
        timeoutMs: 15_000,
        describe: () =>
          `${context}; ${people.map((p) => `${p.name}: pending ${p.pending}, contiguous ${p.contiguousSeq}, log ${p.log.size}`).join("; ")}`,
      },
    );

    for (const person of people) expect(person.violations, `${person.name}: ${context}`).toEqual([]);

    const logs = people.map((person) => [...person.log.values()].sort((a, b) => a.seq - b.seq));
    const reference = logs[0] ?? [];
    // Gap-free, in seq order, and the same everywhere.
    expect(
      reference.map((message) => message.seq),
      context,
    ).toEqual(Array.from({ length: expectedTotal }, (_, i) => i + 1));
    for (const log of logs) expect(log).toEqual(reference);

    // Every message sent, before or after the kill, is there exactly once, from its sender.
    const byClientMsgId = new Map<string, number>();
    for (const message of reference) byClientMsgId.set(message.clientMsgId, (byClientMsgId.get(message.clientMsgId) ?? 0) + 1);
    expect([...byClientMsgId.keys()].sort(), context).toEqual([...sentIds].sort());
    expect([...byClientMsgId.values()].every((count) => count === 1)).toBe(true);
    for (const person of people) {
      const mine = reference.filter((message) => message.from.id === person.userId);
      expect(mine.map((message) => message.text)).toEqual(person.sent.map((pending) => pending.text));
    }

    // Every ack, before the kill or after, names the seq the message really has.
    const seqOf = new Map(reference.map((message) => [message.clientMsgId, message.seq]));
    for (const [clientMsgId, seq] of ackedBeforeKill) expect(seqOf.get(clientMsgId), `${clientMsgId} ${context}`).toBe(seq);
    for (const person of people) for (const ack of person.acks) expect(seqOf.get(ack.clientMsgId)).toBe(ack.seq);

    // And a newcomer reading the store sees the same log.
    const reader = await TestClient.join(second.wsUrl, { room, since: 0 });
    expect(reader.welcome.messages).toEqual(reference);
    expect(reader.welcome.complete).toBe(true);
    await reader.close();
  });
});
