import { Redis } from "ioredis";

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

/**
 * The two connections a node holds: one for commands and one in subscriber mode, connected and
 * answering, or an error that says why (with the URL's password hidden).
 */
export async function connectPair(options: {
  url: string;
  nodeId: string;
  onError?: (error: unknown, context: string) => void;
}): Promise<{ client: Redis; subscriber: Redis }> {
  const common = {
    lazyConnect: true,
    // A command while Redis is away fails at once: a send gets `server_error`, and the client
    // outbox retries it, instead of the ack hanging in a queue.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
  };
  const client = new Redis(options.url, { ...common, connectionName: `chat-${options.nodeId}` });
  // Subscriptions are restored by the room bus, so it knows when they are active again.
  const subscriber = new Redis(options.url, { ...common, autoResubscribe: false, connectionName: `chat-${options.nodeId}-sub` });
  const report = options.onError ?? (() => {});
  // ioredis reports every failed reconnect attempt; without a listener Node would crash.
  client.on("error", (error: unknown) => report(error, "redis connection"));
  subscriber.on("error", (error: unknown) => report(error, "redis subscriber connection"));
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
  } catch (error) {
    client.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
  }
  return { client, subscriber };
}
