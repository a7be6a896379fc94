import { afterEach } from "vitest";
import { freePort } from "./free-port";
import { type ServerProcess, spawnServer } from "./server-process";
import { type TempDir, tempDir } from "./temp-dir";

export interface Cleanup {
  /** Runs `step` after the test, whatever the test did; steps run last added first. */
  defer(step: () => unknown): void;
  /** Closes `thing` after the test; returns it, so `cleanup.track(await open())` reads in order. */
  track<T extends { close(): unknown }>(thing: T): T;
  /** A fresh temp dir, removed after the test. */
  tempDir(prefix?: string): TempDir;
  /**
   * The environment of a server process with its own free port and, unless `env` says otherwise,
   * SQLite in a temp dir: the same env starts it again on the same port and data after a kill.
   */
  serverEnv(env?: Record<string, string>): Promise<Record<string, string>>;
  /** Runs the real server entry with `env`, killed after the test; resolves once it answers /healthz. */
  spawnServer(env: Record<string, string>): Promise<ServerProcess>;
}

/**
 * The teardown every server test needs, in one place: whatever it opened (clients, servers,
 * processes, temp dirs) is closed after each test, in reverse order, even when the test failed.
 */
export function useCleanup(): Cleanup {
  const steps: Array<() => unknown> = [];
  afterEach(async () => {
    // Every step runs, even after one failed; the first failure is reported.
    const failures: unknown[] = [];
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  });
  const cleanup: Cleanup = {
    defer(step) {
      steps.push(step);
    },
    track(thing) {
      steps.push(() => thing.close());
      return thing;
    },
    tempDir(prefix) {
      const dir = tempDir(prefix);
      steps.push(() => dir.remove());
      return dir;
    },
    async serverEnv(env = {}) {
      return { PORT: String(await freePort()), HISTORY: "sqlite", DATA_DIR: cleanup.tempDir("chatroom-server-").path, ...env };
    },
    async spawnServer(env) {
      const server = spawnServer(env);
      steps.push(() => server.kill("SIGKILL"));
      await server.ready();
      return server;
    },
  };
  return cleanup;
}
