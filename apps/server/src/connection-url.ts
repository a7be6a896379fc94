import { z } from "zod";

/**
 * A connection URL with credentials in it (DATABASE_URL, REDIS_URL), checked at start-up with a
 * message that says what to write instead, never what was written: the value holds a password.
 * The checks catch what a driver would otherwise report far from the variable, or worse, in its
 * own words with part of the password in them: an `@` in a password makes the rest of it the host
 * name (and a DNS error prints it); a `%` that is not an escape fails deep in the driver as
 * "URI malformed".
 */
export function connectionUrl(options: { schemes: readonly string[]; example: string }) {
  const schemes = options.schemes.map((scheme) => `${scheme}://`).join(" or ");
  const form = `expected ${options.example}`;
  return z.string().superRefine((value, context) => {
    const problem = connectionUrlProblem(value, options.schemes);
    if (problem === null) return;
    const message = {
      "not-a-url": `not a URL: ${form}; percent-encode @ : / ? # % in the user and password`,
      scheme: `the scheme must be ${schemes}: ${form}`,
      "unencoded-at": "the user or password holds an @: percent-encode it as %40 (and / as %2F, : as %3A)",
      "bad-escape": "the user or password holds a % that starts no escape: write % as %25",
    }[problem];
    context.addIssue({ code: "custom", message });
  });
}

type Problem = "not-a-url" | "scheme" | "unencoded-at" | "bad-escape";

export function connectionUrlProblem(value: string, schemes: readonly string[]): Problem | null {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return "not-a-url";
  if (!schemes.includes(scheme)) return "scheme";
  // Only one @ may end the credentials; the query (?sslmode=…) may hold its own.
  const beforeQuery = value.slice(scheme.length + 3).split(/[?#]/, 1)[0] ?? "";
  if ((beforeQuery.match(/@/g) ?? []).length > 1) return "unencoded-at";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not-a-url";
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return "bad-escape";
  }
  return null;
}
