import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientFrameSchema, createClientCodec, decode } from "../src/index";
import { checkProperty } from "./check-property";

/** Chat-shaped objects, valid and not: the hand-written fast path must agree with the schema on every one. */
const chatLike = fc.record(
  {
    type: fc.constantFrom("chat", "chat", "chat", "typing"),
    text: fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "grapheme", maxLength: 30 }),
      fc.constantFrom("  ", " hi ", "\u00a0x\u2028", "🌍".repeat(2001), "a\u0000b"),
      fc.integer(),
    ),
    clientMsgId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 }), fc.constant(7)),
    extra: fc.string(),
  },
  { requiredKeys: ["type"] },
);

describe("the chat fast path", () => {
  it("decodes exactly as the zod schema does", () => {
    checkProperty(
      fc.property(chatLike, (object) => {
        const viaCodec = decode(JSON.stringify(object));
        const viaSchema = clientFrameSchema.safeParse(object);
        expect(viaCodec.ok).toBe(viaSchema.success);
        if (viaCodec.ok && viaSchema.success) expect(viaCodec.frame).toEqual(viaSchema.data);
      }),
      { numRuns: 2000 },
    );
  });

  it("applies the codec's own text limit", () => {
    const codec = createClientCodec({ maxTextLength: 3 });
    expect(codec.decode(JSON.stringify({ type: "chat", room: "lobby", text: " abc ", clientMsgId: "m1" }))).toEqual({
      ok: true,
      frame: { type: "chat", room: "lobby", text: "abc", clientMsgId: "m1" },
    });
    const tooLong = codec.decode(JSON.stringify({ type: "chat", room: "lobby", text: "abcd", clientMsgId: "m1" }));
    expect(tooLong.ok ? undefined : tooLong.error.reason).toBe("too_long");
  });
});
