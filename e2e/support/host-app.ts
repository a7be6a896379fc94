import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { waitUntil } from "../../apps/server/test/support/wait-until";

const HOST_APP_ENTRY = resolve("examples/host-app/server.mjs");

/** `examples/host-app` as a process of its own, on a port chosen by the test. */
export class HostAppProcess {
  private output = "";

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }

  /** Starts the example with `env` (JWT_SECRET, CHAT_URL, JWT_ISSUER…) and waits until it answers. */
  static async start(port: number, env: Record<string, string>): Promise<HostAppProcess> {
    const child = spawn(process.execPath, [HOST_APP_ENTRY], {
      env: { PATH: process.env.PATH, PORT: String(port), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const app = new HostAppProcess(port, child);
    await waitUntil(async () => child.exitCode !== null || (await fetch(`${app.url}/`)).ok, {
      what: "the host app to answer /",
      timeoutMs: 20_000,
      intervalMs: 100,
      describe: () => app.output,
    });
    if (child.exitCode !== null) throw new Error(`the host app exited during start-up:\n${app.output}`);
    return app;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGKILL");
    await exited;
  }
}
