import { useEffect, useState } from "react";
import { createBrowserClient, tabClient } from "./client/browser-client";
import { ClientStorage } from "./client/storage";
import { Composer } from "./components/composer";
import { ConnectionBanner } from "./components/connection-banner";
import { MemberList } from "./components/member-list";
import { MessageList } from "./components/message-list";
import { NameDialog } from "./components/name-dialog";
import { RoomSwitcher } from "./components/room-switcher";
import { StatusBadge } from "./components/status-badge";
import { TypingIndicator } from "./components/typing-indicator";
import { useChat } from "./hooks/use-chat";
import { useStrings } from "./i18n/use-strings";
import { pathForRoom, roomFromPath } from "./room-route";

const initialRoom = roomFromPath(window.location.pathname);
const nameFromUrl = new URLSearchParams(window.location.search).get("name") ?? undefined;
const client = tabClient(() => createBrowserClient(initialRoom, nameFromUrl));
const storage = new ClientStorage(window.sessionStorage, window.localStorage);

export function App() {
  const t = useStrings();
  const chat = useChat(client);
  const needsName = !client.started && !storage.loadIdentity().name && !nameFromUrl;
  const [naming, setNaming] = useState<"join" | "rename" | null>(needsName ? "join" : null);
  const [drawerOpen, setDrawerOpen] = useState(false);

  useEffect(() => {
    if (naming !== "join" && !client.started) client.start();
  }, [naming]);

  // The back button moves between rooms.
  useEffect(() => {
    const onPop = () => client.switchRoom(roomFromPath(window.location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  useEffect(() => {
    document.title = `#${chat.room} · ${t.appTitle}`;
  }, [chat.room, t.appTitle]);

  const goToRoom = (room: string) => {
    if (room !== chat.room) {
      window.history.pushState(null, "", pathForRoom(room));
      client.switchRoom(room);
    }
    setDrawerOpen(false);
  };

  return (
    <div className={`app ${drawerOpen ? "drawer-open" : ""}`}>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-label={t.menu}
          aria-expanded={drawerOpen}
          onClick={() => setDrawerOpen(!drawerOpen)}
        >
          ☰
        </button>
        <h1>
          {t.appTitle} <span className="room-name">#{chat.room}</span>
        </h1>
        <StatusBadge state={chat.connection} />
      </header>
      <aside className="sidebar" aria-label={t.rooms}>
        <div className="me">
          <span className="me-name">{chat.me?.name ?? ""}</span>
          <button type="button" className="link-button" onClick={() => setNaming("rename")} disabled={!chat.me}>
            {t.changeName}
          </button>
        </div>
        <RoomSwitcher current={chat.room} onSelect={goToRoom} />
        <MemberList members={chat.members} count={chat.memberCount} me={chat.me} />
      </aside>
      {drawerOpen && <button type="button" className="scrim" aria-label={t.close} onClick={() => setDrawerOpen(false)} />}
      <main className="chat">
        <ConnectionBanner client={client} state={chat.connection} />
        {chat.alert && (
          <div className="alert" role="alert">
            <span>{chat.alert.message}</span>
            <button type="button" className="link-button" onClick={() => client.dismissAlert()}>
              {t.dismiss}
            </button>
          </div>
        )}
        {chat.nameAdjusted && (
          <div className="alert" role="status">
            <span>{t.nameAdjusted(chat.nameAdjusted.requested, chat.nameAdjusted.given)}</span>
            <button type="button" className="link-button" onClick={() => client.dismissAlert()}>
              {t.dismiss}
            </button>
          </div>
        )}
        <MessageList client={client} chat={chat} />
        <TypingIndicator typing={chat.typing} />
        <Composer client={client} chat={chat} />
      </main>
      {naming && (
        <NameDialog
          mode={naming}
          initial={naming === "rename" ? (chat.me?.name ?? "") : (storage.lastName() ?? "")}
          onSubmit={(name) => {
            client.setName(name);
            setNaming(null);
          }}
          onCancel={naming === "rename" ? () => setNaming(null) : undefined}
        />
      )}
    </div>
  );
}
