// The child-process handling `pnpm dev` and `pnpm start:cluster` share: one Ctrl+C stops
// everything, in order, and the script exits 0 when the stop was asked for and went cleanly.
import { spawn } from "node:child_process";
import { pipePrefixed } from "./prefixed-output.mjs";

const GROUPS = process.platform !== "win32";
/** How a child may end after we sent it SIGTERM and still count as a clean stop (128 + n is a shell's "killed by signal n"). */
const CLEAN_SIGNALS = new Set(["SIGTERM", "SIGINT"]);
const CLEAN_CODES = new Set([0, 128 + 2, 128 + 15]);

/**
 * Starts children and stops them together.
 *
 * Each child runs in a process group of its own, so the terminal's Ctrl+C (a SIGINT to the
 * foreground group) reaches only this script; it then sends SIGTERM to each child in turn
 * (`stopLast` ones after the others), waits for them to exit, removes whatever they left in
 * their groups, and exits: 0 when a signal asked for the stop and every child stopped cleanly,
 * 1 otherwise. A child that exits on its own stops the rest and the script fails. A stop that
 * takes longer than `stopTimeoutMs` kills whatever is left. `afterStop` runs once every child is
 * gone, before the exit: for what is not a child (a `pg_ctl`-started PostgreSQL, temp dirs); a
 * throw there fails the exit status.
 */
export function createSupervisor({ stopTimeoutMs = 15_000, afterStop = async () => {} } = {}) {
  const children = [];
  let stopping;
  let requested = false;

  /** Starts a child; does nothing once a stop began. */
  function run(name, color, command, args, { cwd, env, stopLast = false } = {}) {
    if (stopping) return undefined;
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: GROUPS });
    const prefix = pipePrefixed(child, name, color);
    let settle;
    const entry = { name, child, prefix, stopLast, ended: new Promise((resolve) => (settle = resolve)) };
    // `close` comes after the last output line, so nothing is printed after the final message.
    child.once("close", (code, signal) => settle({ code, signal }));
    child.on("error", (error) => {
      settle({ code: null, signal: null, error });
      if (stopping) return;
      console.error(`${prefix}could not start ${command}: ${error.message}`);
      stop(1);
    });
    child.on("exit", (code, signal) => {
      if (stopping) return;
      console.error(`${prefix}exited (${signal ?? code}); stopping the rest`);
      stop(1);
    });
    children.push(entry);
    return child;
  }

  /** Stops every child and exits with `code` (or 1 if a requested stop was not clean). Idempotent. */
  function stop(code) {
    stopping ??= (async () => {
      const timer = setTimeout(() => {
        console.error(`still running after ${stopTimeoutMs / 1000} s; killing what is left`);
        killAll("SIGKILL");
      }, stopTimeoutMs);
      for (const wave of [children.filter((entry) => !entry.stopLast), children.filter((entry) => entry.stopLast)]) {
        for (const { child } of wave) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await Promise.all(wave.map((entry) => entry.ended));
      }
      clearTimeout(timer);
      // A watcher's own children (tsx's server, Vite's esbuild) must not outlive it.
      killAll("SIGKILL");
      let exitCode = code;
      try {
        await afterStop();
      } catch (error) {
        console.error(`could not stop cleanly: ${error.message}`);
        exitCode = 1;
      }
      if (requested) {
        for (const entry of children) {
          const { code: childCode, signal, error } = await entry.ended;
          if (error || (signal ? !CLEAN_SIGNALS.has(signal) : !CLEAN_CODES.has(childCode))) {
            console.error(`${entry.prefix}did not stop cleanly (${error?.message ?? signal ?? childCode})`);
            exitCode = 1;
          }
        }
      }
      process.exit(exitCode);
    })();
    return stopping;
  }

  function killAll(signal) {
    for (const { child } of children) {
      if (child.pid === undefined) continue;
      try {
        if (GROUPS) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    // Repeats are ignored: `pnpm run` passes the terminal's SIGINT on a second time, and a stuck
    // child is killed after `stopTimeoutMs` anyway.
    process.on(signal, () => {
      if (stopping) return;
      requested = true;
      stop(0);
    });
  }

  return {
    run,
    stop,
    /** True once a stop began: loops waiting for start-up should give up. */
    get stopping() {
      return stopping !== undefined;
    },
  };
}

/** A host a browser can open: a wildcard bind is reached through localhost, an IPv6 literal goes in brackets. */
export function browsableHost(host) {
  if (host === "0.0.0.0" || host === "::" || host === "true" || host === "") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Polls `url` until it answers 2xx; false if `supervisor` (anything with a `stopping` flag) began
 * stopping first, or `deadlineMs` passed. No deadline by default: a child that fails stops everything.
 */
export async function waitForUrl(url, supervisor, { deadlineMs = Number.POSITIVE_INFINITY, pollMs = 200 } = {}) {
  const deadline = Date.now() + deadlineMs;
  while (!supervisor.stopping && Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return false;
}
