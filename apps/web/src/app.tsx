import { type ChatSnapshot, ClientStorage } from "@chatroom/client";
import { createBrowserClient, tabClient } from "@chatroom/client/browser";
import { normalizeName } from "@chatroom/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import { Avatar } from "./components/avatar";
import { Composer } from "./components/composer";
import { ConnectionBanner } from "./components/connection-banner";
import { MemberList } from "./components/member-list";
import { MessageList } from "./components/message-list";
import { NameDialog } from "./components/name-dialog";
import { RoomSwitcher } from "./components/room-switcher";
import { StatusBadge } from "./components/status-badge";
import { TypingIndicator } from "./components/typing-indicator";
import { useChat } from "./hooks/use-chat";
import { useModalDrawer } from "./hooks/use-modal-drawer";
import { useUnreadTitle } from "./hooks/use-unread-title";
import type { Strings } from "./i18n/strings";
import { useStrings } from "./i18n/use-strings";
import { pathForRoom, roomFromPath, roomSegment } from "./room-route";

const initialRoom = roomFromPath(window.location.pathname);
const requested = roomSegment(window.location.pathname);
// A path that names no valid room opens the lobby and says so (as typed); the address bar shows where you are.
const refusedRoom = requested !== null && requested.toLowerCase() !== initialRoom ? requested : null;
if (window.location.pathname !== pathForRoom(initialRoom)) {
  window.history.replaceState(null, "", `${pathForRoom(initialRoom)}${window.location.search}${window.location.hash}`);
}
// A link's `?name=` is used only if it is a valid name; otherwise the dialog asks, saying why.
const rawNameFromUrl = new URLSearchParams(window.location.search).get("name");
const urlName = rawNameFromUrl === null ? null : normalizeName(rawNameFromUrl);
const client = tabClient(() => createBrowserClient(initialRoom, urlName?.ok ? urlName.name : undefined));
const storage = new ClientStorage(window.sessionStorage, window.localStorage);

export function App() {
  const t = useStrings();
  const chat = useChat(client);
  const [naming, setNaming] = useState<"join" | "rename" | null>(() => (!client.started && !client.hasName ? "join" : null));
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [roomNotice, setRoomNotice] = useState(refusedRoom);

  useEffect(() => {
    if (naming !== "join" && !client.started) client.start();
  }, [naming]);

  // The dialog unmounts without handing focus back, so it is placed here: after choosing a name, in
  // the composer (unless the drawer it was opened from is still over it); after a cancel, back on
  // the control that opened the dialog.
  const nameOpener = useRef<HTMLElement | null>(null);
  const focusAfterNaming = useRef<"composer" | "opener">("composer");
  const openNaming = (mode: "join" | "rename") => {
    nameOpener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setNaming(mode);
  };
  const closeNaming = (outcome: "composer" | "opener") => {
    focusAfterNaming.current = outcome;
    setNaming(null);
  };
  const wasNaming = useRef(naming !== null);
  useEffect(() => {
    if (wasNaming.current && naming === null) {
      const opener = nameOpener.current?.isConnected ? nameOpener.current : null;
      const toOpener = focusAfterNaming.current === "opener" || drawerOpen;
      (toOpener && opener ? opener : document.getElementById("composer-input"))?.focus();
    }
    wasNaming.current = naming !== null;
  }, [naming, drawerOpen]);

  // The back button moves between rooms.
  useEffect(() => {
    const onPop = () => client.switchRoom(roomFromPath(window.location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const sidebar = useRef<HTMLElement>(null);
  const scrim = useRef<HTMLButtonElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeDrawer = useCallback(() => setDrawerOpen(false), []);
  useModalDrawer({ open: drawerOpen, close: closeDrawer, drawer: sidebar, scrim, opener: menuButton });

  useUnreadTitle(`#${chat.room} · ${t.appTitle}`, chat.incomingCount, t.unreadTitle);

  const goToRoom = (room: string) => {
    if (room !== chat.room) {
      window.history.pushState(null, "", pathForRoom(room));
      client.switchRoom(room);
    }
    setDrawerOpen(false);
  };

  return (
    <div className={`app ${drawerOpen ? "drawer-open" : ""}`}>
      <header className="topbar" inert={drawerOpen}>
        <button
          ref={menuButton}
          type="button"
          className="menu-button icon-button"
          aria-label={t.menu}
          aria-expanded={drawerOpen}
          aria-controls="sidebar"
          onClick={() => setDrawerOpen(!drawerOpen)}
        >
          <span aria-hidden="true">☰</span>
        </button>
        <h1>
          <span className="app-name">{t.appTitle}</span> <span className="room-name">#{chat.room}</span>
        </h1>
        <StatusBadge state={chat.connection} />
      </header>
      <aside ref={sidebar} id="sidebar" className="sidebar" aria-label={t.openRooms}>
        {chat.me && (
          <div className="me-card" data-testid="me">
            <Avatar name={chat.me.name} />
            <div className="me-text">
              <span className="me-name">{chat.me.name}</span>
              <button type="button" className="link-button" onClick={() => openNaming("rename")}>
                {t.changeName}
              </button>
            </div>
          </div>
        )}
        <RoomSwitcher current={chat.room} onSelect={goToRoom} />
        <MemberList members={chat.members} count={chat.memberCount} me={chat.me} />
      </aside>
      {drawerOpen && <button ref={scrim} type="button" className="scrim" aria-label={t.close} onClick={closeDrawer} />}
      <main className="chat" inert={drawerOpen}>
        <ConnectionBanner client={client} state={chat.connection} />
        {chat.alert && (
          <div className="alert alert-error" role="alert" data-testid="alert" data-code={chat.alert.code}>
            <span>{alertText(chat.alert, chat, t)}</span>
            <button type="button" className="link-button" onClick={() => client.dismissAlert()}>
              {t.dismiss}
            </button>
          </div>
        )}
        {chat.unsentElsewhere.map(({ room, count, sending }) => (
          <div key={room} className="alert alert-info" role="status" data-testid="unsent-elsewhere" data-room={room}>
            <span>
              {!sending
                ? t.unsentElsewhere(count, room)
                : chat.connection.status === "open"
                  ? t.sendingElsewhere(count, room)
                  : t.waitingElsewhere(count, room)}
            </span>
            {!sending && (
              <button type="button" className="link-button" onClick={() => goToRoom(room)}>
                {t.openRoom(room)}
              </button>
            )}
          </div>
        ))}
        {roomNotice && (
          <div className="alert alert-info" role="status" data-testid="room-notice">
            <span>{t.roomPathInvalid(roomNotice)}</span>
            <button type="button" className="link-button" onClick={() => setRoomNotice(null)}>
              {t.dismiss}
            </button>
          </div>
        )}
        {chat.nameAdjusted && (
          <div className="alert alert-info" role="status" data-testid="name-adjusted">
            <span>{t.nameAdjusted(chat.nameAdjusted.requested, chat.nameAdjusted.given)}</span>
            <span className="alert-actions">
              <button type="button" className="link-button" onClick={() => openNaming("rename")}>
                {t.changeName}
              </button>
              <button type="button" className="link-button" onClick={() => client.dismissAlert()}>
                {t.dismiss}
              </button>
            </span>
          </div>
        )}
        <MessageList client={client} chat={chat} />
        <TypingIndicator typing={chat.typing} />
        <Composer client={client} chat={chat} />
      </main>
      {naming && (
        <NameDialog
          mode={naming}
          initial={naming === "rename" ? (chat.me?.name ?? "") : (rawNameFromUrl ?? storage.lastName() ?? "")}
          initialProblem={naming === "join" && urlName && !urlName.ok ? urlName.problem : undefined}
          onSubmit={(name) => {
            client.setName(name);
            closeNaming("composer");
          }}
          onCancel={naming === "rename" ? () => closeNaming("opener") : undefined}
        />
      )}
    </div>
  );
}

function alertText(alert: NonNullable<ChatSnapshot["alert"]>, chat: ChatSnapshot, t: Strings): string {
  switch (alert.code) {
    case "name_taken":
      return t.nameTaken(alert.name ?? "");
    case "too_long_local":
    case "too_long":
      return t.tooLong(chat.limits.maxTextLength);
    default:
      // The server's own wording is English; the code says the same in the page's language.
      return t.errorCode(alert.code);
  }
}
