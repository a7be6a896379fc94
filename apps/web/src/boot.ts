import { type ChatClient, type ClientStorage, capabilitiesFromFragment, fragmentWithoutCapabilities } from "@chatroom/client";
import { browserCredentials, createBrowserClient, tabClient, tabIdentity } from "@chatroom/client/browser";
import { loadStrings, type Strings } from "./i18n/strings";
import { browserLocale } from "./i18n/use-strings";
import { type InitialRoute, initialRoute } from "./room-route";

/** Everything the page needs from the browser before React renders, built once by `boot()`. */
export interface Booted {
  route: InitialRoute;
  client: ChatClient;
  storage: ClientStorage;
  strings: Strings;
}

/**
 * The page's only start-up side effects, in one place, so importing a module never opens a socket
 * or rewrites the address bar (tests and HMR can import anything). Called once from main.tsx.
 * Asynchronous because the tab first claims its identity slot (see identity-slots.ts): which
 * participant this tab is decides which storage the client starts from.
 */
export async function boot(): Promise<Booted> {
  const route = initialRoute(window.location);
  // The address bar shows where you are: an invalid or non-canonical room path becomes the room's own.
  if (route.canonicalUrl !== null) window.history.replaceState(null, "", route.canonicalUrl);
  keepLinkCapabilities(route.room);
  const locale = browserLocale();
  document.documentElement.lang = locale;
  const [{ storage }, strings] = await Promise.all([tabIdentity(), loadStrings(locale)]);
  // One client per tab (kept on globalThis): StrictMode and Vite's HMR re-run this, but reuse its socket.
  const client = tabClient(() =>
    createBrowserClient({ initialRoom: route.room, name: route.urlName?.ok ? route.urlName.name : undefined, storage }),
  );
  // A link to a message opens the room around it (react-virtuoso starts the list there).
  if (route.message !== null) client.openMessage(route.room, route.message);
  return { route, client, storage, strings };
}

/**
 * A capability link (`#key=…`, `#invite=…`, `#admin=…`) is read once: the secret goes to the
 * browser's credential store (every tab sends it from there, inside a frame), and leaves the
 * address bar, so it is not bookmarked, shared by accident or kept in the history.
 */
function keepLinkCapabilities(room: string): void {
  const { hash, pathname, search } = window.location;
  const found = capabilitiesFromFragment(hash);
  if (found.key === undefined && found.invite === undefined && found.admin === undefined) return;
  const credentials = browserCredentials();
  if (found.key !== undefined) credentials.setPass(room, found.key);
  else if (found.invite !== undefined) credentials.setInvite(room, found.invite);
  if (found.admin !== undefined) credentials.setAdminKey(found.admin);
  window.history.replaceState(null, "", `${pathname}${search}${fragmentWithoutCapabilities(hash)}`);
}
