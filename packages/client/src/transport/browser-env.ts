import { ChatClient } from "../chat-client";
import type { PageVisibility } from "../options";
import { CredentialStore } from "../persistence/credentials";
import { ClientStorage } from "../persistence/storage";
import type { ConnectionTimers, SocketLike, Wakeups } from "./connection";

/**
 * The browser around the client: the page's WebSocket, window timers, online/offline and
 * visibility signals, `pagehide` and the one client per tab. Only the web app imports this module
 * (as `@chatroom/client/browser`); the rest of the package runs in Node as well, and nothing here
 * touches `window` until it is called.
 */

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

/** Whether the page is on screen: the active room's unread counts in the title only while it is not. */
function documentVisibility(): PageVisibility {
  return {
    isVisible: () => document.visibilityState === "visible",
    subscribe(callback) {
      document.addEventListener("visibilitychange", callback);
      return () => document.removeEventListener("visibilitychange", callback);
    },
  };
}

function windowTimers(): ConnectionTimers {
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  };
}

/** The tab's storage: the session and logs per tab, the last name used per browser. */
export function browserStorage(): ClientStorage {
  return new ClientStorage(window.sessionStorage, window.localStorage);
}

/** The browser's capabilities: in localStorage itself (not a tab's slot), so every tab of the browser shares them. */
export function browserCredentials(): CredentialStore {
  return new CredentialStore(window.localStorage);
}

export interface BrowserClientOptions {
  /** The room the page opened on. */
  initialRoom: string;
  name?: string | undefined;
  /** The page's one storage; the UI reads the same object (the last name used, for example). */
  storage?: ClientStorage;
  credentials?: CredentialStore;
  /** Sign-in from a host app (`AUTH=jwt`), when the page is embedded by one. */
  getToken?: () => Promise<string>;
}

export function createBrowserClient({
  initialRoom,
  name,
  storage = browserStorage(),
  credentials = browserCredentials(),
  getToken,
}: BrowserClientOptions): ChatClient {
  const client = new ChatClient({
    endpoint: sameOriginEndpoint(window.location),
    initialRoom,
    ...(name ? { name } : {}),
    storage,
    // The DOM's handler types name concrete Event classes; SocketLike only promises what is read.
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    timers: windowTimers(),
    wakeups: browserWakeups(),
    linkLost: browserLinkLost(),
    visibility: documentVisibility(),
    credentials,
    ...(getToken ? { getToken } : {}),
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

export { type TabIdentityStorage, tabIdentity } from "../persistence/browser-identity-slot";
