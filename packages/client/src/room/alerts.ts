import type { ErrorCode, User } from "@chatroom/protocol";

export interface ChatAlert {
  code: ErrorCode | "too_long_local";
  message: string;
  /** The name a refused rename asked for, so the UI can say which one. */
  name?: string;
  id: number;
}

/** Set when the name we asked for was taken and the server gave us another. */
export type NameAdjusted = { requested: string; given: string } | null;

/**
 * A room the tab no longer holds because the server would not have us: we were kicked or banned
 * (`left` with a reason), or a join was refused (a private room without a pass, a ban, a spent invite).
 */
export interface RoomRemoval {
  room: string;
  reason: "kicked" | "banned" | "forbidden" | "invite_invalid";
  /** Who removed us, when the server says. */
  by?: User;
  id: number;
}

/** Which alerts each kind of later success makes stale. */
const RESOLVED_BY: Record<"renamed" | "sent", ReadonlyArray<ChatAlert["code"]>> = {
  renamed: ["name_taken"],
  sent: ["too_long_local"],
};

/** What the user should be told: the latest error, and a name the server adjusted. */
export class Alerts {
  private latest: ChatAlert | null = null;
  private adjusted: NameAdjusted = null;
  private removal: RoomRemoval | null = null;

  get alert(): ChatAlert | null {
    return this.latest;
  }

  get nameAdjusted(): NameAdjusted {
    return this.adjusted;
  }

  /** The latest room the server removed us from; kept until dismissed. */
  get roomRemoval(): RoomRemoval | null {
    return this.removal;
  }

  removedFrom(room: string, reason: RoomRemoval["reason"], by?: User): void {
    this.removal = { room, reason, ...(by ? { by } : {}), id: (this.removal?.id ?? 0) + 1 };
  }

  raise(code: ChatAlert["code"], message: string, name?: string): void {
    this.latest = { code, message, ...(name !== undefined ? { name } : {}), id: (this.latest?.id ?? 0) + 1 };
  }

  nameWasAdjusted(adjusted: NameAdjusted): void {
    this.adjusted = adjusted;
  }

  /** Clears the alerts a later success answers: a rename that went through, a message that fit. */
  resolve(success: keyof typeof RESOLVED_BY): void {
    if (success === "renamed") this.adjusted = null;
    if (this.latest && RESOLVED_BY[success].includes(this.latest.code)) this.latest = null;
  }

  dismiss(): void {
    this.latest = null;
    this.adjusted = null;
    this.removal = null;
  }
}
