import type { Redis } from "ioredis";

/** Quits politely when Redis is there, and always stops the reconnect loop. */
export async function quit(connection: Redis): Promise<void> {
  try {
    if (connection.status === "ready") await withTimeout(connection.quit(), 1_000);
  } catch {
    // Already gone; disconnect below stops any reconnect loop.
  }
  connection.disconnect();
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The URL without its password, for error messages that end up in logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}
