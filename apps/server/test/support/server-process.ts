import { type ChildProcess, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { waitUntil } from "./wait-until";

/** The repository root, where `tsx` resolves from. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const SERVER_ENTRY = "apps/server/src/server.ts";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  wsUrl: string;
  /** Everything the process wrote so far. */
  output(): { stdout: string; stderr: string };
  exited: Promise<ExitStatus>;
  /** Resolves when `/healthz` answers; rejects if the process exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

/**
 * Runs the real server entry (`node --import tsx apps/server/src/server.ts`) as a child process.
 * `env` is laid over quiet test defaults: `NODE_ENV=test`, `LOG_LEVEL=warn`, `HOST=127.0.0.1`.
 */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const fullEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    ...env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: fullEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.on("exit", (code, signal) => resolveExit({ code, signal }));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const port = Number(env.PORT ?? 0);
  const url = `http://127.0.0.1:${port}`;

  return {
    child,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    output: () => ({ stdout, stderr }),
    exited,
    async ready(timeoutMs = 20_000) {
      await waitUntil(async () => hasExited || (await fetch(`${url}/healthz`)).ok, {
        what: "the server to answer /healthz",
        timeoutMs,
        intervalMs: 50,
        describe: () => `${stderr}${stdout}`,
      });
      if (hasExited) throw new Error(`server exited before it was ready:\n${stderr}${stdout}`);
    },
    async kill(signal = "SIGKILL") {
      if (!hasExited) child.kill(signal);
      return exited;
    },
  };
}
