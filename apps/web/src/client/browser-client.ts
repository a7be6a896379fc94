import { ChatClient } from "./chat-client";
import type { SocketLike, Wakeups } from "./connection";
import { ClientStorage } from "./storage";

/** The websocket endpoint on the page's own origin (Vite proxies it in development). */
export function sameOriginEndpoint(location: Location): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}

/** `online` and a hidden tab becoming visible both mean "check the link now". */
function browserWakeups(): Wakeups {
  return {
    subscribe(callback) {
      const onVisible = () => {
        if (document.visibilityState === "visible") callback();
      };
      window.addEventListener("online", callback);
      document.addEventListener("visibilitychange", onVisible);
      return () => {
        window.removeEventListener("online", callback);
        document.removeEventListener("visibilitychange", onVisible);
      };
    },
  };
}

/** `offline`: the socket cannot work any more, whatever its readyState says. */
function browserLinkLost(): Wakeups {
  return {
    subscribe(callback) {
      window.addEventListener("offline", callback);
      return () => window.removeEventListener("offline", callback);
    },
  };
}

export function createBrowserClient(room: string, name?: string): ChatClient {
  const client = new ChatClient({
    endpoint: sameOriginEndpoint(window.location),
    room,
    ...(name ? { name } : {}),
    storage: new ClientStorage(window.sessionStorage, window.localStorage),
    // The DOM's handler types name concrete Event classes; SocketLike only promises what is read.
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    timers: {
      now: () => Date.now(),
      setTimeout: (callback, ms) => window.setTimeout(callback, ms),
      clearTimeout: (handle) => window.clearTimeout(handle as number),
    },
    wakeups: browserWakeups(),
    linkLost: browserLinkLost(),
  });
  window.addEventListener("pagehide", () => client.flushStorage());
  return client;
}

const GLOBAL_KEY = Symbol.for("chatroom.client");
type ClientHolder = { [GLOBAL_KEY]?: ChatClient };

/**
 * One client per tab, created outside React. StrictMode's double effects and Vite's HMR
 * re-run modules and components, but they find this instance instead of opening a new socket.
 */
export function tabClient(create: () => ChatClient): ChatClient {
  const holder = globalThis as ClientHolder;
  holder[GLOBAL_KEY] ??= create();
  return holder[GLOBAL_KEY];
}
