import { TestClient } from "../../apps/server/test/support/test-client";

/**
 * Stores `count` messages in `room` through several protocol clients (each one stays inside its
 * own rate limit, and waits out `rate_limited` for as long as the server says if it is stricter).
 * Resolves with the acked seqs. The clients are the server tests' `TestClient`: no browser, no
 * web app code, every frame checked against protocol 2 (each one says hello and joins `room`).
 */
export async function seedMessages(
  wsUrl: string,
  room: string,
  count: number,
  text = (index: number) => `seed message ${index}`,
): Promise<number[]> {
  const clientCount = Math.min(15, count);
  const clients = await Promise.all(
    Array.from({ length: clientCount }, (_, index) => TestClient.join(wsUrl, { room, name: `seeder-${index + 1}` })),
  );
  const seqs: number[] = [];
  let nextIndex = 0;
  try {
    await Promise.all(
      clients.map(async (client, clientIndex) => {
        for (let index = nextIndex++; index < count; index = nextIndex++) {
          const clientMsgId = `seed-${clientIndex}-${index}`;
          for (;;) {
            const from = client.frames.length;
            client.chat(room, text(index + 1), clientMsgId);
            const answer = await client.waitFor(
              (frame) => (frame.type === "ack" && frame.room === room && frame.clientMsgId === clientMsgId) || frame.type === "error",
              {
                from,
                timeoutMs: 10_000,
              },
            );
            if (answer.type === "ack") {
              seqs.push(answer.seq);
              break;
            }
            if (answer.type !== "error" || answer.code !== "rate_limited") throw new Error(`seeding failed: ${JSON.stringify(answer)}`);
            await new Promise((resolve) => setTimeout(resolve, answer.retryAfterMs ?? 250));
          }
        }
      }),
    );
    for (const client of clients)
      if (client.invalid.length > 0) throw new Error(`frames outside protocol 2: ${JSON.stringify(client.invalid)}`);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  return seqs.sort((a, b) => a - b);
}
