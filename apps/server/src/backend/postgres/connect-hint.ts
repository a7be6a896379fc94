/**
 * What to do about a PostgreSQL error met while connecting or creating the schema, for the
 * messages of a node's start-up and of migrate-store: the driver's own words say what went wrong,
 * not what to change. Never names the URL (it may hold a password).
 */
export function connectHint(error: unknown): string | null {
  const { code } = error as { code?: string };
  switch (code) {
    case "42501": // insufficient_privilege: since PostgreSQL 15 only the database owner may create in schema public.
      return "the DATABASE_URL user must own the database (CREATE DATABASE chatroom OWNER <user>, or createdb -O <user> chatroom) or hold CREATE on its schema public";
    case "28P01":
    case "28000":
      return "check the user and password in DATABASE_URL";
    case "3D000":
      return "the database in DATABASE_URL does not exist: create it, owned by the DATABASE_URL user (CREATE DATABASE chatroom OWNER <user>)";
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
      return "check the host and port in DATABASE_URL and that PostgreSQL is up and reachable from here";
    default:
      return null;
  }
}

/** `message`, then what to do about `error` when there is something to say. */
export function withConnectHint(message: string, error: unknown): string {
  const hint = connectHint(error);
  return hint === null ? message : `${message}. ${capitalized(hint)}`;
}

export const capitalized = (text: string) => `${text.slice(0, 1).toUpperCase()}${text.slice(1)}`;
