import { foldName, type User } from "@chatroom/protocol";
import type { ClusterPresence, NameCandidate, PresenceChange } from "../../backend/cluster-presence";
import type { ChatLimits } from "../limits";
import type { ChatLogger, Timers } from "../ports";
import { type Roster, suffixedName } from "./roster";

export interface ClusterSyncOptions {
  room: string;
  presence: ClusterPresence;
  roster: Roster;
  limits: Pick<ChatLimits, "presenceGraceMs" | "maxNameLength" | "nameClaimBatch" | "maxNameSuffix">;
  timers: Timers;
  logger: ChatLogger;
}

/**
 * Keeps this node's roster in step with the cluster's presence (cluster backends only): names
 * are claimed cluster-wide, departures are recorded there, and other nodes' changes are applied
 * here as they arrive.
 */
export class ClusterSync {
  /** Names claimed for joiners not admitted yet; released if they never are. */
  private readonly claims = new Map<string, unknown>();

  constructor(private readonly options: ClusterSyncOptions) {}

  /**
   * Claims the user's name atomically in the shared store (the first free of `requested`,
   * `requested (2)`, ...), which also marks the user present on this node; a claim not followed
   * by `admitted` within the grace period is released.
   */
  async claimName(requested: string, userId: string): Promise<string> {
    const { limits, presence, roster, timers, room } = this.options;
    for (let from = 2; from < limits.maxNameSuffix; from += limits.nameClaimBatch) {
      const candidates: NameCandidate[] = from === 2 ? [candidate(requested)] : [];
      for (let n = from; n < from + limits.nameClaimBatch; n++)
        candidates.push(candidate(suffixedName(requested, n, limits.maxNameLength)));
      const name = await presence.join(room, userId, candidates);
      if (name === undefined) continue;
      if (!roster.isMember(userId)) {
        timers.clearTimeout(this.claims.get(userId));
        this.claims.set(
          userId,
          timers.setTimeout(() => {
            this.claims.delete(userId);
            if (!roster.isMember(userId)) this.left({ id: userId, name }, false);
          }, limits.presenceGraceMs),
        );
      }
      return name;
    }
    throw new Error(`no free name like "${requested}" in room ${room}`);
  }

  /** The claimant became a member: its claim no longer expires. */
  admitted(userId: string): void {
    this.options.timers.clearTimeout(this.claims.get(userId));
    this.claims.delete(userId);
  }

  /** Claims `name` cluster-wide; false when another user in the room holds it. */
  rename(userId: string, name: string): Promise<boolean> {
    return this.options.presence.rename(this.options.room, userId, candidate(name));
  }

  /**
   * Tells the cluster the user left this node, then corrects what this node believed: the store
   * knows whether the user is still on another node (joins and leaves on other nodes are only
   * announced when a user's first or last node changes, so this node's view can be stale).
   */
  left(user: User, knownElsewhere: boolean): void {
    const { presence, roster, room, logger } = this.options;
    presence.leave(room, user.id).then(
      (stillPresent) => {
        if (stillPresent === knownElsewhere || roster.isMember(user.id)) return;
        roster.setRemote(user, stillPresent);
      },
      (error: unknown) => logger.warn({ err: error, room }, "could not record a departure in the cluster"),
    );
  }

  /** Other nodes' membership changes. */
  apply(change: PresenceChange): void {
    const { roster } = this.options;
    for (const user of change.joined) if (!roster.isRemote(user.id)) roster.setRemote(user, true);
    for (const user of change.left) if (roster.isRemote(user.id)) roster.setRemote(user, false);
    for (const { user } of change.renamed) roster.renameRemote(user);
  }

  dispose(): void {
    for (const claim of this.claims.values()) this.options.timers.clearTimeout(claim);
  }
}

function candidate(name: string): NameCandidate {
  return { name, folded: foldName(name) };
}
