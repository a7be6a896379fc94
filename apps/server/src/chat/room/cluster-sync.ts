import type { User } from "@chatroom/protocol";
import type { ClusterPresence, NameCandidate, PresenceChange } from "../../backend/cluster-presence";
import { NAME_KEY_SEPARATOR, nameKeys } from "../../security/name-key";
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
      // A member within its grace tells the cluster itself if it does not come back; a departing
      // one already has, before this claim, so the claim is released like a newcomer's.
      const unadmitted = () => !roster.isMember(userId) || roster.isDeparting(userId);
      if (unadmitted()) {
        timers.clearTimeout(this.claims.get(userId));
        this.claims.set(
          userId,
          timers.setTimeout(() => {
            this.claims.delete(userId);
            if (unadmitted()) void this.release({ id: userId, name });
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
   * Tells the cluster the user left this node and resolves whether it is still on another node.
   * The store knows (joins and leaves on other nodes are only announced when a user's first or
   * last node changes, so this node's view can be stale); if it cannot answer, this node's view
   * does. Never rejects.
   */
  async confirmDeparture(user: User): Promise<boolean> {
    const { presence, roster, room, logger } = this.options;
    let stillPresent: boolean;
    try {
      stillPresent = await presence.leave(room, user.id);
    } catch (error) {
      logger.warn({ err: error, room }, "could not record a departure in the cluster");
      return roster.isRemote(user.id);
    }
    // Back on this node while the store answered (its join may have reached the store before the
    // departure did): the store no longer counts it here, so it is marked present again.
    if (roster.isMember(user.id) && !roster.isDeparting(user.id)) this.register(user.id);
    return stillPresent;
  }

  /** Other nodes' membership changes. */
  apply(change: PresenceChange): void {
    const { roster } = this.options;
    for (const user of change.joined) if (!roster.isRemote(user.id)) roster.setRemote(user, true);
    for (const user of change.left) if (roster.isRemote(user.id)) roster.setRemote(user, false);
    for (const { user } of change.renamed) roster.renameRemote(user);
  }

  /** A claim nobody was admitted under: the user leaves this node, and stays visible if the store says it is elsewhere. */
  private async release(user: User): Promise<void> {
    const { roster } = this.options;
    const stillPresent = await this.confirmDeparture(user);
    if (stillPresent && !roster.isMember(user.id)) roster.setRemote(user, true);
  }

  /** Marks a member present on this node again in the store, under its name here. */
  private register(userId: string): void {
    const { presence, roster, room, logger } = this.options;
    const user = roster.userOf(userId);
    if (!user) return;
    presence.join(room, userId, [candidate(user.name)]).then(
      (name) => {
        if (name === undefined) logger.warn({ room }, "could not mark a returning member present in the cluster: its name is taken");
      },
      (error: unknown) => logger.warn({ err: error, room }, "could not mark a returning member present in the cluster"),
    );
  }

  dispose(): void {
    for (const claim of this.claims.values()) this.options.timers.clearTimeout(claim);
  }
}

function candidate(name: string): NameCandidate {
  return { name, folded: nameKeys(name).join(NAME_KEY_SEPARATOR) };
}
