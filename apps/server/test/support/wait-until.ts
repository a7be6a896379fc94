export interface WaitOptions {
  /** What is awaited, for the error. */
  what?: string;
  /**
   * Only a bound on a wait that should end far sooner, so a broken run fails instead of hanging;
   * nothing is asserted about how long the condition took.
   */
  timeoutMs?: number;
  /** How often the condition is checked again. */
  intervalMs?: number;
  /** Extra detail for the error, read when the wait gives up (a process's output, say). */
  describe?: () => string;
}

/**
 * Checks `condition` until it returns a value other than undefined or false, and resolves with
 * it: the one way tests wait for a state they cannot subscribe to (a process's output, Redis,
 * an HTTP endpoint). Conditions that throw are treated as not met yet, except on the last try.
 * The one implementation for server tests, e2e and the bench.
 */
export async function waitUntil<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<Exclude<T, false | undefined>> {
  const { what = "condition", timeoutMs = 10_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = options.describe ? `\n${options.describe()}` : "";
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms${cause}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
