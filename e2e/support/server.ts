import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test as base } from "@playwright/test";
import { freePort } from "../../apps/server/test/support/free-port";
import { waitUntil } from "../../apps/server/test/support/wait-until";

const SERVER_ENTRY = resolve("apps/server/dist/server.js");

/**
 * A production server process of its own, for tests that stop and restart it. `stop` and `start`
 * keep the port and the DATA_DIR, so the restarted server has the same history and the browser
 * tabs reconnect to the same address.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private output = "";

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  /** `beforeStart` runs on the empty DATA_DIR before the first start (e.g. `seedRoomStore`). */
  static async create(
    env: Record<string, string> = {},
    options: { beforeStart?: (dataDir: string) => Promise<void> } = {},
  ): Promise<ServerProcess> {
    const server = new ServerProcess(await freePort(), mkdtempSync(join(tmpdir(), "chatroom-e2e-server-")), env);
    try {
      await options.beforeStart?.(server.dataDir);
      await server.start();
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error("server already running");
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(this.port),
        HISTORY: "sqlite",
        DATA_DIR: this.dataDir,
        LOG_LEVEL: "warn",
        ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      // The tail is enough to explain a failed start.
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", () => {
      if (this.child === child) this.child = undefined;
    });
    await this.waitUntilHealthy(child);
  }

  /** Sends a signal and returns at once (SIGSTOP freezes the process, SIGCONT thaws it). */
  signal(signal: NodeJS.Signals): void {
    if (!this.child) throw new Error("server is not running");
    this.child.kill(signal);
  }

  /** SIGTERM is the graceful path (close 1001, flush); SIGKILL is a crash. Resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = once(child, "exit");
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
      this.child = undefined;
    }
  }

  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async waitUntilHealthy(child: ChildProcess): Promise<void> {
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    try {
      await waitUntil(async () => exited() || (await fetch(`${this.url}/healthz`)).ok, {
        what: "the server to answer /healthz",
        timeoutMs: 20_000,
        intervalMs: 100,
        describe: () => this.output,
      });
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
    if (exited()) throw new Error(`server exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.output}`);
  }
}

/** `test` with an `ownServer` fixture: a fresh server process per test, always disposed. */
export const test = base.extend<{ ownServer: ServerProcess }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright requires the object pattern for fixtures.
  ownServer: async ({}, use) => {
    const server = await ServerProcess.create();
    try {
      await use(server);
    } finally {
      await server.dispose();
    }
  },
});

export { expect } from "@playwright/test";
