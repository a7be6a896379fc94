import type { User } from "@chatroom/protocol";
import type { ClientStorage, TabIdentity } from "../persistence/storage";

/**
 * Who this tab is: the session token, the name it asks for, a rename not yet confirmed, and the
 * user the server's `ready` made it. Saved as the tab's `TabIdentity` whenever it changes. Shared
 * by every room of the tab; the name a room gave us (a suffix there) is that room's own.
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
   * `ready` made us `you` in `session`. Returns the name asked for when the server gave another,
   * unless a rename of our own is still on its way.
   */
  ready(you: User, session: string): { requested: string; given: string } | null {
    const adjusted = this.requestedName && you.name !== this.requestedName && this.pending === undefined;
    const result = adjusted ? { requested: this.requestedName as string, given: you.name } : null;
    this.user = you;
    this.session = session;
    this.requestedName = you.name;
    this.storage.saveIdentity(this.saved());
    return result;
  }

  /**
   * A room's `joined` names us `you` there. Returns our name and the one the room gave when they
   * differ (another member present holds ours), unless a rename of our own is still on its way.
   */
  joinedAs(you: User): { requested: string; given: string } | null {
    const name = this.user?.name;
    return name !== undefined && you.name !== name && this.pending === undefined ? { requested: name, given: you.name } : null;
  }

  /** After `ready`: a pending rename the server already applied is done; otherwise it must be repeated. */
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

  private saved(): TabIdentity {
    return { ...(this.session ? { session: this.session } : {}), ...(this.requestedName ? { name: this.requestedName } : {}) };
  }
}
