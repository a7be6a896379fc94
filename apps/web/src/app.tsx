import type { ChatClient, ClientStorage } from "@chatroom/client";
import { isStaff } from "@chatroom/client";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Avatar } from "./components/avatar";
import { Composer } from "./components/composer";
import { ConnectionBanner } from "./components/connection-banner";
import { MemberList } from "./components/member-list";
import { type MessageJumpHandle, MessageList } from "./components/message-list/message-list";
import { NameDialog } from "./components/name-dialog";
import { Notices } from "./components/notices";
import { BrowseRooms } from "./components/rooms/browse-rooms";
import { JoinRoomForm } from "./components/rooms/join-room-form";
import { RoomList } from "./components/rooms/room-list";
import { SearchBox } from "./components/search/search-box";
import { RoomState } from "./components/staff/room-state";
import { StatusBadge } from "./components/status-badge";
import { TypingIndicator } from "./components/typing-indicator";
import { useChat } from "./hooks/use-chat";
import { ComposerFocusProvider, useComposerFocusRoot } from "./hooks/use-composer-focus";
import { ComposerIntentProvider, useComposerIntentRoot } from "./hooks/use-composer-intent";
import { useModalDrawer } from "./hooks/use-modal-drawer";
import { useNameDialog } from "./hooks/use-name-dialog";
import { useRoomNavigation } from "./hooks/use-room-navigation";
import { useUnreadTitle } from "./hooks/use-unread-title";
import { useStrings } from "./i18n/use-strings";
import type { InitialRoute } from "./room-route";

// Dialogs most visits never open: their own chunks, loaded on first use.
const NewRoomDialog = lazy(() => import("./components/staff/new-room-dialog").then((module) => ({ default: module.NewRoomDialog })));
const StaffPanel = lazy(() => import("./components/staff/staff-panel").then((module) => ({ default: module.StaffPanel })));
const NotificationsMenu = lazy(() => import("./components/notifications/notifications-menu"));

export interface AppProps {
  /** What the address asked for when the page loaded. */
  route: InitialRoute;
  /** The tab's one client (see boot.ts). */
  client: ChatClient;
  storage: ClientStorage;
}

export function App({ route, client, storage }: AppProps) {
  const t = useStrings();
  const chat = useChat(client);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [roomNotice, setRoomNotice] = useState(route.refusedRoom);
  const [dialog, setDialog] = useState<"new-room" | "staff" | "notifications" | null>(null);
  const composerFocus = useComposerFocusRoot();
  const composerIntent = useComposerIntentRoot();
  const nameDialog = useNameDialog({ client, drawerOpen, focusComposer: composerFocus.focusComposer });
  const naming = nameDialog.naming;
  const navigation = useRoomNavigation(client, chat.room, chat.focus?.seq ?? null);
  // The open list's jump: "Show message" in the staff panel loads and scrolls like a reply's quote.
  const messageJump: MessageJumpHandle = useRef(null);
  const myRooms = useMemo(() => new Set(chat.rooms.map((summary) => summary.room)), [chat.rooms]);

  const sidebar = useRef<HTMLElement>(null);
  const scrim = useRef<HTMLButtonElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeDrawer = useCallback(() => setDrawerOpen(false), []);
  useModalDrawer({ open: drawerOpen, close: closeDrawer, drawer: sidebar, scrim, opener: menuButton });

  useUnreadTitle(`#${chat.room} · ${t.appTitle}`, chat.totalUnread, t.unreadTitle);

  // Desktop notifications and their sound: a chunk loaded after the first render (it never asks for permission by itself).
  useEffect(() => {
    let stop: (() => void) | null = null;
    let live = true;
    void import("./notifications/notifications-runtime").then(({ startNotifications }) => {
      if (live) stop = startNotifications(client, t.locale);
    });
    return () => {
      live = false;
      stop?.();
    };
  }, [client, t.locale]);

  const goToRoom = (room: string) => {
    navigation.goToRoom(room);
    setDrawerOpen(false);
  };

  return (
    <ComposerFocusProvider value={composerFocus}>
      <ComposerIntentProvider value={composerIntent}>
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
            <SearchBox client={client} room={chat.room} />
            <RoomState access={chat.access} />
            {isStaff(chat.access.role) && (
              <button type="button" className="small-button secondary" data-testid="open-staff-panel" onClick={() => setDialog("staff")}>
                {t.staff.staffPanel}
              </button>
            )}
            <button
              type="button"
              className="icon-button notifications-button"
              aria-label={t.notificationsButton}
              title={t.notificationsButton}
              data-testid="open-notifications"
              data-level={chat.rooms.find((summary) => summary.room === chat.room)?.notify}
              onClick={() => setDialog("notifications")}
            >
              <span aria-hidden="true">🔔</span>
            </button>
            <StatusBadge state={chat.connection} />
          </header>
          <aside ref={sidebar} id="sidebar" className="sidebar" aria-label={t.openRooms}>
            {chat.me && (
              <div className="me-card" data-testid="me">
                <Avatar name={chat.me.name} />
                <div className="me-text">
                  <span className="me-name">{chat.me.name}</span>
                  <button type="button" className="link-button" onClick={() => nameDialog.open("rename")}>
                    {t.changeName}
                  </button>
                </div>
              </div>
            )}
            <RoomList rooms={chat.rooms} active={chat.room} onOpen={goToRoom} onLeave={navigation.leaveRoom}>
              <JoinRoomForm onJoin={goToRoom} />
              <button type="button" className="link-button" data-testid="new-room" onClick={() => setDialog("new-room")}>
                {t.staff.newRoom}
              </button>
            </RoomList>
            <BrowseRooms mine={myRooms} onJoin={goToRoom} />
            <MemberList members={chat.members} count={chat.memberCount} me={chat.me} access={chat.access} client={client} />
          </aside>
          {drawerOpen && <button ref={scrim} type="button" className="scrim" aria-label={t.close} onClick={closeDrawer} />}
          <main className="chat" inert={drawerOpen}>
            <ConnectionBanner client={client} state={chat.connection} />
            <Notices
              client={client}
              chat={chat}
              roomNotice={roomNotice}
              onDismissRoomNotice={() => setRoomNotice(null)}
              leftWithUnsent={navigation.leftWithUnsent}
              onDismissLeft={navigation.dismissLeftNotice}
              onRename={() => nameDialog.open("rename")}
            />
            {/* One per room and per link opened: each opening starts afresh, at its bottom or at the linked message. */}
            <MessageList key={`${chat.room} ${chat.focusEpoch}`} client={client} chat={chat} jumpHandle={messageJump} />
            <TypingIndicator typing={chat.typing} access={chat.access} />
            <Composer client={client} chat={chat} />
          </main>
          {dialog && (
            <Suspense fallback={null}>
              {dialog === "new-room" ? (
                <NewRoomDialog client={client} onClose={() => setDialog(null)} onCreated={(room) => navigation.goToRoom(room)} />
              ) : dialog === "notifications" ? (
                <NotificationsMenu client={client} chat={chat} onClose={() => setDialog(null)} />
              ) : (
                <StaffPanel client={client} chat={chat} onClose={() => setDialog(null)} onJump={(seq) => messageJump.current?.(seq)} />
              )}
            </Suspense>
          )}
          {naming && (
            <NameDialog
              mode={naming}
              initial={naming === "rename" ? (chat.me?.name ?? "") : (route.rawName ?? storage.lastName() ?? "")}
              initialProblem={naming === "join" && route.urlName && !route.urlName.ok ? route.urlName.problem : undefined}
              onSubmit={(name) => {
                client.setName(name);
                nameDialog.close("composer");
              }}
              onCancel={naming === "rename" ? () => nameDialog.close("opener") : undefined}
            />
          )}
        </div>
      </ComposerIntentProvider>
    </ComposerFocusProvider>
  );
}
