import type { ChatFrame } from "@chatroom/protocol";
import type { Alerts } from "./room/alerts";
import type { Identity } from "./room/identity";
import type { RoomSet } from "./rooms/room-set";
import type { ChatSnapshot } from "./snapshot";
import type { TabLink } from "./tab-link";

/** The parts of a tab a snapshot is read from. */
export interface SnapshotSources {
  link: TabLink;
  identity: Identity;
  alerts: Alerts;
  rooms: RoomSet;
  /** The page is on screen: the active room's unread then does not count in the total. */
  visible: boolean;
  lastIncoming: ChatFrame | null;
  incomingCount: number;
}

/**
 * One snapshot of the tab, its room-level fields read from the active room. Each part hands over
 * its own cached slices, so an unchanged slice keeps its identity from one snapshot to the next.
 */
export function buildSnapshot({ link, identity, alerts, rooms, visible, lastIncoming, incomingCount }: SnapshotSources): ChatSnapshot {
  const session = rooms.active;
  return {
    connection: link.connection.getState(),
    room: session.room,
    me: session.you ?? identity.me,
    members: session.roster.list,
    memberCount: session.roster.memberCount,
    items: session.items,
    outbox: session.outbox.view(),
    typing: session.typing.list,
    historyEdge: session.history.edge,
    loadingOlder: session.history.loadingOlder,
    focus: session.history.window.focus,
    focusEpoch: session.history.window.epoch,
    detached: session.history.window.top !== undefined,
    loadingNewer: session.history.window.loadingNewer,
    limits: link.limits,
    alert: alerts.alert,
    nameAdjusted: alerts.nameAdjusted,
    lastIncoming,
    incomingCount,
    rooms: rooms.summaries(),
    totalUnread: rooms.totalUnread(visible),
    readMarkerSeq: rooms.readMarkerSeq,
    access: session.access.state,
    staffView: session.desk.view,
    admin: link.admin,
    roomRemoval: alerts.roomRemoval,
  };
}
