import {
  type BanInfo,
  type ChatFrame,
  encode,
  type InviteInfo,
  type MuteInfo,
  type ReportInfo,
  type ServerFrameOf,
  type User,
} from "@chatroom/protocol";
import type { BanEntry, InviteEntry, MuteEntry, ReportEntry } from "../backend/access-state";
import { plainUser } from "./frames";

/**
 * The server frames of [4/6] that are not room events: answers to `create`, `invite`,
 * `revoke-invite`, `report`, `resolve-report` and `room-admin`, and the reports staff see. Built
 * from the store's entries, leaving out what is never sent (a code's hash, an address's HMAC).
 */

/** The owner's pass, once: the owner link is `/r/<room>#key=<key>`. */
export function createdFrame(room: string, clientMsgId: string, key: string): string {
  const frame: ServerFrameOf<"created"> = { type: "created", room, clientMsgId, key };
  return encode(frame);
}

export function inviteInfoOf(invite: InviteEntry): InviteInfo {
  return {
    id: invite.id,
    role: invite.role,
    ...(invite.expiresAt === undefined ? {} : { expiresAt: invite.expiresAt }),
    ...(invite.maxUses === undefined ? {} : { maxUses: invite.maxUses }),
    uses: invite.uses,
    revoked: invite.revoked,
    createdBy: plainUser(invite.createdBy),
    ts: invite.ts,
  };
}

/** The invite's code, once: the link is `/r/<room>#invite=<code>`. */
export function inviteCreatedFrame(room: string, clientMsgId: string, invite: InviteEntry, code: string): string {
  const frame: ServerFrameOf<"invite-created"> = { type: "invite-created", room, clientMsgId, invite: inviteInfoOf(invite), code };
  return encode(frame);
}

export function inviteRevokedFrame(room: string, clientMsgId: string, invite: string): string {
  const frame: ServerFrameOf<"invite-revoked"> = { type: "invite-revoked", room, clientMsgId, invite };
  return encode(frame);
}

/** To the reporter: the report is filed. */
export function reportedFrame(room: string, clientMsgId: string, report: string): string {
  const frame: ServerFrameOf<"reported"> = { type: "reported", room, clientMsgId, report };
  return encode(frame);
}

/** A report as staff see it, with the reported chat as it stands (`chat` undefined: no longer there). */
export function reportInfoOf(report: ReportEntry, chat: ChatFrame | undefined): ReportInfo {
  return {
    id: report.id,
    target: report.target,
    reason: report.reason,
    by: plainUser(report.by),
    ts: report.ts,
    ...(chat ? { author: plainUser(chat.from) } : {}),
    ...(chat?.text === undefined ? {} : { text: chat.text }),
  };
}

/** To the room's staff online: a new report. */
export function reportFrame(room: string, report: ReportInfo): string {
  const frame: ServerFrameOf<"report"> = { type: "report", room, report };
  return encode(frame);
}

/** To the room's staff online: a report resolved; `clientMsgId` is the resolver's. */
export function reportResolvedFrame(room: string, report: string, by: User, clientMsgId: string): string {
  const frame: ServerFrameOf<"report-resolved"> = { type: "report-resolved", room, report, by: plainUser(by), clientMsgId };
  return encode(frame);
}

export interface RoomAdminFields {
  invites: InviteEntry[];
  bans: BanEntry[];
  mutes: MuteEntry[];
  reports: ReportInfo[];
}

export function roomAdminFrame(room: string, fields: RoomAdminFields): string {
  const frame: ServerFrameOf<"room-admin"> = {
    type: "room-admin",
    room,
    invites: fields.invites.map(inviteInfoOf),
    bans: fields.bans.map(
      (ban): BanInfo => ({
        user: plainUser(ban.user),
        ...(ban.until === undefined ? {} : { until: ban.until }),
        address: ban.addressHash !== undefined,
        by: plainUser(ban.by),
        ts: ban.ts,
      }),
    ),
    mutes: fields.mutes.map(
      (mute): MuteInfo => ({
        user: plainUser(mute.user),
        ...(mute.until === undefined ? {} : { until: mute.until }),
        by: plainUser(mute.by),
        ts: mute.ts,
      }),
    ),
    reports: fields.reports,
  };
  return encode(frame);
}
