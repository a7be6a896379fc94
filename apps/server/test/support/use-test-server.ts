import { afterEach } from "vitest";
import type { BuildOverrides } from "../../src/app";
import { type StartedServer, startServer } from "./start-server";
import { type TempDir, tempDir } from "./temp-dir";
import { type JoinOptions, type OpenOptions, TestClient } from "./test-client";

export interface TestServerFixture {
  /** Starts the app on a random port; it is closed after the test. */
  start(env?: Record<string, string>, overrides?: BuildOverrides): Promise<StartedServer>;
  /** Starts it on in-memory history, or on SQLite in a temp dir removed after the test (for `describe.each` over both). */
  startWithHistory(history: "memory" | "sqlite"): Promise<StartedServer>;
  /** Says hello and joins one room (the lobby unless told) on the running server; the client is closed after the test. */
  join(options?: JoinOptions): Promise<Awaited<ReturnType<typeof TestClient.join>>>;
  /** Says hello on the running server (no room joined); the client is closed after the test. */
  open(options?: OpenOptions): Promise<Awaited<ReturnType<typeof TestClient.open>>>;
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
  const dirs: TempDir[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server?.close();
    server = undefined;
    // After the server: its SQLite file is closed by then.
    for (const dir of dirs.splice(0)) dir.remove();
  });
  const fixture: TestServerFixture = {
    async start(env = {}, overrides = {}) {
      server = await startServer(env, overrides);
      return server;
    },
    async startWithHistory(history) {
      if (history === "memory") return fixture.start();
      const dir = tempDir();
      dirs.push(dir);
      return fixture.start({ HISTORY: "sqlite", DATA_DIR: dir.path });
    },
    async join(options = {}) {
      if (!server) throw new Error("start() the server before join()");
      const client = await TestClient.join(server.wsUrl, options);
      clients.push(client);
      return client;
    },
    async open(options = {}) {
      if (!server) throw new Error("start() the server before open()");
      const client = await TestClient.open(server.wsUrl, options);
      clients.push(client);
      return client;
    },
    track(...opened) {
      clients.push(...opened);
    },
  };
  return fixture;
}
