import { CLIENT_DEFAULTS } from "../options";

/** Delay before reconnect attempt `attempt` (1 for the first retry). */
export type Backoff = (attempt: number) => number;

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Fraction of the delay that is randomized, so a restarted server is not hit by every tab at once. */
  jitter?: number;
  random?: () => number;
}

/** Exponential backoff with "equal jitter": a pure function of the attempt and the random source. */
export function exponentialBackoff({
  baseMs = CLIENT_DEFAULTS.backoff.baseMs,
  maxMs = CLIENT_DEFAULTS.backoff.maxMs,
  jitter = CLIENT_DEFAULTS.backoff.jitter,
  random = Math.random,
}: BackoffOptions = {}): Backoff {
  return (attempt) => {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling * (1 - jitter) + ceiling * jitter * random());
  };
}
