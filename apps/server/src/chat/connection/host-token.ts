import { CLOSE_CODES, type ClientFrameOf, type ErrorCode, normalizeName } from "@chatroom/protocol";
import { authedFrame, errorFrame } from "../frames";
import type { ConnectionContext, TokenAuth, TokenClaims } from "./context";
import { refuseIfLimited } from "./handlers";

/** Who a host-app token in `hello` says the user is. */
export interface TokenUser {
  sub: string;
  /** The token's `name`, normalized and checked like any name; absent when the token gives none. */
  name: string | undefined;
  claims: TokenClaims;
}

/** Why a `hello` is refused: the error frame to send and the close code after it. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  closeCode: number;
}

/**
 * The sign-in step of `AUTH=jwt`: the token in `hello` is required and verified. A refused or
 * missing one is `token_invalid`/`token_expired` and close 4401, so the client fetches a fresh
 * token before it comes back. The token's name goes through the same rules as a name in `hello`:
 * the host app vouches for who the user is, not for a name that could pass for someone else's;
 * that refusal is `name_refused` and close 4501, since a new token would carry the same name.
 */
export async function signInWithToken(tokens: TokenAuth, token: string | undefined, maxNameLength: number): Promise<TokenUser | Refusal> {
  const tokenExpired = CLOSE_CODES.tokenExpired.code;
  if (token === undefined)
    return { code: "token_invalid", message: "this server signs in with a host app's token: send it in hello", closeCode: tokenExpired };
  const checked = await tokens.verifier.verify(token);
  if (!checked.ok) return { code: checked.code, message: checked.reason, closeCode: tokenExpired };
  const { sub, name, rooms, exp } = checked.token;
  if (name === undefined) return { sub, name: undefined, claims: { rooms, exp } };
  const normalized = normalizeName(name, maxNameLength);
  if (!normalized.ok) {
    return { code: "name_refused", message: `the token's name is refused: ${normalized.reason}`, closeCode: CLOSE_CODES.badRequest.code };
  }
  return { sub, name: normalized.name, claims: { rooms, exp } };
}

/**
 * A signed-in connection's hold on its token: it is closed with `token_expired` and 4401 at the
 * token's `exp` plus the grace, unless an `auth` frame brought a fresh token for the same user
 * before then. Refreshes are checked one after another, in the order they came, so the token in
 * force is always the one sent last.
 */
export class TokenLease {
  private timer: unknown;
  private ended = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: ConnectionContext,
    private readonly tokens: TokenAuth,
  ) {
    this.arm();
  }

  /** An `auth` frame. Each spends the chat budget: a verification costs more than a chat does. */
  refresh(frame: ClientFrameOf<"auth">): void {
    if (refuseIfLimited(this.connection, "chat")) return;
    this.queue = this.queue
      .then(() => this.check(frame.token))
      .catch((error: unknown) => {
        this.connection.services.deps.logger.error({ err: error }, "token refresh failed");
        this.connection.outlet.write(errorFrame("server_error", "could not check the token, retry later"));
      });
  }

  /** The connection is gone. */
  end(): void {
    this.ended = true;
    this.connection.services.deps.timers.clearTimeout(this.timer);
  }

  private async check(token: string): Promise<void> {
    const { identity, outlet } = this.connection;
    const checked = await this.tokens.verifier.verify(token);
    if (this.ended || !outlet.isOpen) return;
    // A refused refresh leaves the current token in force until it runs out.
    if (!checked.ok) {
      outlet.write(errorFrame(checked.code, checked.reason));
      return;
    }
    // A connection is one user from hello to close: a token for someone else ends it.
    if (checked.token.sub !== identity.userId) {
      const message = "the token is for another user than this connection's";
      outlet.fail(errorFrame("token_invalid", message), CLOSE_CODES.tokenExpired.code, message);
      return;
    }
    identity.claims = { rooms: checked.token.rooms, exp: checked.token.exp };
    this.arm();
    outlet.write(authedFrame(checked.token.exp));
  }

  private arm(): void {
    const { timers } = this.connection.services.deps;
    const exp = this.connection.identity.claims?.exp ?? 0;
    timers.clearTimeout(this.timer);
    const closeAt = exp * 1000 + this.tokens.expiryGraceMs;
    this.timer = timers.setTimeout(() => this.expire(), Math.max(0, closeAt - timers.now()));
  }

  private expire(): void {
    if (this.ended) return;
    const message = "the token has expired and was not refreshed";
    this.connection.outlet.fail(errorFrame("token_expired", message), CLOSE_CODES.tokenExpired.code, message);
  }
}
