import type { User } from "@chatroom/protocol";
import type { ClientStorage, TabIdentity } from "../persistence/storage";

/**
 * Who this tab is: the session token, the name it asks for, a rename not yet confirmed, and the
 * user the server made it. Saved as the tab's `TabIdentity` whenever it changes.
 */
export class Identity {
  private session: string | undefined;
  private requestedName: string | undefined;
  /** A rename asked for while offline: the session's old name wins on reconnect unless we repeat it. */
  private pending: string | undefined;
  private user: User | null = null;

  constructor(
    private readonly storage: ClientStorage,
    urlName: string | undefined,
  ) {
    const saved = storage.loadIdentity();
    this.session = saved.session;
    // A restored session keeps its own (possibly renamed) name; the URL's name only names a new participant.
    this.requestedName = saved.session ? (saved.name ?? urlName) : (urlName ?? saved.name);
  }

  get me(): User | null {
    return this.user;
  }

  get sessionToken(): string | undefined {
    return this.session;
  }

  get name(): string | undefined {
    return this.requestedName;
  }

  get pendingRename(): string | undefined {
    return this.pending;
  }

  /**
   * The user picked `name`. Returns what it takes: nothing (already so), a rename of the joined
   * user (then `pendingRename` goes out), or a first join.
   */
  choose(name: string): "unchanged" | "rename" | "join" {
    this.requestedName = name;
    this.storage.saveIdentity({ ...this.saved(), name });
    if (this.user && name === this.user.name) return "unchanged";
    if (!this.user) return "join";
    this.pending = name;
    return "rename";
  }

  /**
   * A welcome made us `you` in `session`. Returns the name asked for when the server gave another
   * (taken), unless a rename of our own is still on its way.
   */
  welcomed(you: User, session: string): { requested: string; given: string } | null {
    const adjusted = this.requestedName && you.name !== this.requestedName && this.pending === undefined;
    const result = adjusted ? { requested: this.requestedName as string, given: you.name } : null;
    this.user = you;
    this.session = session;
    this.requestedName = you.name;
    this.storage.saveIdentity(this.saved());
    return result;
  }

  /** After a welcome: a pending rename the server already applied is done; otherwise it must be repeated. */
  renameStillWanted(): boolean {
    if (this.pending !== undefined && this.pending === this.user?.name) this.pending = undefined;
    return this.pending !== undefined;
  }

  /** A system frame renamed us. Returns whether it was the rename we asked for last. */
  renamed(user: User): boolean {
    this.user = user;
    this.requestedName = user.name;
    // Only this one: a success of an older rename can arrive after a newer one was refused.
    const confirmed = this.pending === user.name;
    if (confirmed) this.pending = undefined;
    this.storage.saveIdentity(this.saved());
    return confirmed;
  }

  /** The server refused our rename: we keep the name we have. Returns the name it refused. */
  renameRefused(): string | undefined {
    const refused = this.pending;
    this.pending = undefined;
    this.requestedName = this.user?.name;
    this.storage.saveIdentity(this.saved());
    return refused;
  }

  /** Another tab took over the session (`replaced`): the next join starts a new one. */
  sessionReplaced(): void {
    this.session = undefined;
  }

  /** We left the room the user was in; the next welcome says who we are there. */
  leftRoom(): void {
    this.user = null;
  }

  private saved(): TabIdentity {
    return { ...(this.session ? { session: this.session } : {}), ...(this.requestedName ? { name: this.requestedName } : {}) };
  }
}
