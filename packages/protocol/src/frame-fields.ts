import { z } from "zod";
import { normalizeEmoji } from "./emoji";
import { DEFAULT_LIMITS } from "./limits";
import { CLIENT_MSG_ID_PATTERN, codePointLength, normalizeName, ROOM_PATTERN } from "./text";

// The fields that frames in both directions are built from. `seq`, `count`, `timestamp`,
// `jsonNumber` and `targetSeq` are building blocks of the frame files only: `frames.ts` does not
// re-export them, so the package's API names whole fields and frames, not these generic numbers.

/** The message `decode` reports for a text over the limit, so it can answer `too_long`. */
export const TEXT_TOO_LONG = "text is too long";

/**
 * JSON text can spell -0 ("-0", "-0.0", or "-5e-424", which underflows), but JSON.stringify
 * writes -0 as "0". So every number decodes with -0 read as 0, and a decoded frame encodes
 * and decodes again to itself. NaN and the infinities cannot arrive: zod refuses them.
 */
function withoutNegativeZero(schema: z.ZodType<number>) {
  return schema.transform((n) => (n === 0 ? 0 : n));
}

export const seq = withoutNegativeZero(z.int().min(0));
export const count = seq;
export const timestamp = withoutNegativeZero(z.number().int().nonnegative());
export const jsonNumber = withoutNegativeZero(z.number());

export const roomSchema = z.string().regex(ROOM_PATTERN, "room must match ^[a-z0-9][a-z0-9_-]{0,31}$");
export const clientMsgIdSchema = z.string().regex(CLIENT_MSG_ID_PATTERN, "clientMsgId must match ^[A-Za-z0-9_-]{1,64}$");

export function nameSchema(maxLength: number = DEFAULT_LIMITS.maxNameLength) {
  return z.string().transform((raw, ctx) => {
    const checked = normalizeName(raw, maxLength);
    if (checked.ok) return checked.name;
    // The problem rides along so the codec can tell a refused name (mixed scripts) from a malformed one.
    ctx.addIssue({ code: "custom", message: checked.reason, params: { nameProblem: checked.problem } });
    return z.NEVER;
  });
}

export function chatTextSchema(maxTextLength: number = DEFAULT_LIMITS.maxTextLength) {
  // The limit applies after trimming, so padding around a text of exactly the limit is fine.
  // A code point is at most two UTF-16 units: twice the limit in units is over it without counting.
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    if (text.length === 0) ctx.addIssue({ code: "custom", message: "text is empty" });
    // No store can promise to keep it: PostgreSQL's text refuses U+0000, and a text that one store
    // keeps and another cannot would make a message's fate depend on the deployment.
    else if (text.includes("\u0000")) ctx.addIssue({ code: "custom", message: "text contains U+0000 (NUL)" });
    else if (text.length > maxTextLength * 2 || codePointLength(text) > maxTextLength) {
      ctx.addIssue({ code: "custom", message: TEXT_TOO_LONG });
    }
    return text;
  });
}

/** One emoji (see emoji.ts), normalized to its RGI form. */
export const emojiSchema = z.string().transform((raw, ctx) => {
  const emoji = normalizeEmoji(raw);
  if (emoji !== null) return emoji;
  ctx.addIssue({ code: "custom", message: "emoji must be exactly one emoji" });
  return z.NEVER;
});

/** The `seq` of a chat in the same room: what `edit`, `delete`, `react` and `replyTo` point at. */
export const targetSeq = withoutNegativeZero(z.int().min(1));

/** How much of a room notifies this user: every chat, chats that mention them (the default), or none. */
export const notifyLevelSchema = z.enum(["all", "mentions", "none"]);
export type NotifyLevel = z.infer<typeof notifyLevelSchema>;
export const DEFAULT_NOTIFY_LEVEL: NotifyLevel = "mentions";
