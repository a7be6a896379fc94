import type { BanInfo, InviteInfo, ModerationEvent, MuteInfo, ReportInfo, ServerFrameOf } from "@chatroom/protocol";

/** What the room's staff manage outside the log: invites, bans and mutes in force, open reports. */
export interface StaffView {
  invites: InviteInfo[];
  bans: BanInfo[];
  mutes: MuteInfo[];
  reports: ReportInfo[];
}

/**
 * One room's staff view: what the last `room-admin` said, kept current by the frames staff get
 * live (`report`, `report-resolved`, `invite-created`, `invite-revoked`). Bans and mutes change
 * through moderation events, which do not carry everything the view lists (who banned, since
 * when), so such an event asks the server again. Null until asked for: members never see it.
 */
export class StaffDesk {
  private current: StaffView | null = null;
  private wanted = false;

  constructor(private readonly ask: () => boolean) {}

  get view(): StaffView | null {
    return this.current;
  }

  /** The page opened the staff view: ask for it now, and again after every rejoin. */
  open(): void {
    this.wanted = true;
    this.ask();
  }

  /** The room was joined again: what the view showed may be stale. */
  joined(): void {
    if (this.wanted) this.ask();
  }

  /** Returns whether the view changed. */
  receive(frame: ServerFrameOf<"room-admin" | "report" | "report-resolved" | "invite-created" | "invite-revoked">): boolean {
    if (frame.type === "room-admin") {
      const { invites, bans, mutes, reports } = frame;
      this.current = { invites, bans, mutes, reports };
      return true;
    }
    const view = this.current;
    if (!view) return false;
    switch (frame.type) {
      case "report":
        if (view.reports.some((report) => report.id === frame.report.id)) return false;
        this.current = { ...view, reports: [...view.reports, frame.report] };
        return true;
      case "report-resolved":
        this.current = { ...view, reports: view.reports.filter((report) => report.id !== frame.report) };
        return true;
      case "invite-created":
        this.current = { ...view, invites: [...view.invites.filter((invite) => invite.id !== frame.invite.id), frame.invite] };
        return true;
      case "invite-revoked":
        this.current = {
          ...view,
          invites: view.invites.map((invite) => (invite.id === frame.invite ? { ...invite, revoked: true } : invite)),
        };
        return true;
    }
  }

  /** A moderation event: bans and mutes in force may have changed. */
  moderated(events: readonly ModerationEvent[]): void {
    if (this.current && events.some((event) => ["mute", "unmute", "ban", "unban", "kick"].includes(event.action))) this.ask();
  }
}
