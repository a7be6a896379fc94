import { afterEach } from "vitest";
import type { BuildOverrides } from "../../src/app";
import { type StartedServer, startServer } from "./start-server";
import { TestClient } from "./test-client";

export interface TestServerFixture {
  /** Starts the app on a random port; it is closed after the test. */
  start(env?: Record<string, string>, overrides?: BuildOverrides): Promise<StartedServer>;
  /** Joins the running server and closes the client after the test. */
  join(query?: Record<string, string | number>): Promise<TestClient & Awaited<ReturnType<typeof TestClient.join>>>;
  /** Closes these clients after the test too. */
  track(...clients: TestClient[]): void;
}

/**
 * The setup every integration file shares: a server per test and the clients it opened, all
 * closed in `afterEach`, whatever the test did.
 */
export function useTestServer(): TestServerFixture {
  let server: StartedServer | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server?.close();
    server = undefined;
  });
  return {
    async start(env = {}, overrides = {}) {
      server = await startServer(env, overrides);
      return server;
    },
    async join(query = {}) {
      if (!server) throw new Error("start() the server before join()");
      const client = await TestClient.join(server.wsUrl, query);
      clients.push(client);
      return client;
    },
    track(...opened) {
      clients.push(...opened);
    },
  };
}
