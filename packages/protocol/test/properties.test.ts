import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIMITS,
  type DecodeResult,
  decode,
  decodeServerFrame,
  ERROR_CODE_LIST,
  encode,
  errorCodeFor,
  normalizeName,
} from "../src/index";
import { chatText, clientMsgId, objectWithFrameType, validClientFrame, validName, validServerFrame } from "./arbitraries";

const REASONS = ["not_text", "not_json", "too_deep", "not_object", "unknown_type", "forbidden_key", "invalid_field", "too_long"];

/** Whatever came in, the result is a frame or a named reason that maps to a protocol error code. */
function assertWellFormed<T>(result: DecodeResult<T>): void {
  if (result.ok) return;
  expect(REASONS).toContain(result.error.reason);
  expect(ERROR_CODE_LIST).toContain(errorCodeFor(result.error));
  expect(typeof result.error.message).toBe("string");
}

/** Any frame `decode` accepts is a fixed point: encoding and decoding it again changes nothing. */
function assertStable(result: DecodeResult<unknown>, redecode: (raw: string) => DecodeResult<unknown>): void {
  if (!result.ok) return;
  expect(redecode(JSON.stringify(result.frame))).toEqual(result);
}

const bothDecoders = (raw: unknown) => {
  const client = decode(raw);
  const server = decodeServerFrame(raw);
  assertWellFormed(client);
  assertWellFormed(server);
  assertStable(client, decode);
  assertStable(server, decodeServerFrame);
};

describe("decode never throws", () => {
  it("on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), bothDecoders), { numRuns: 500 });
  });

  it("on arbitrary JSON texts", () => {
    fc.assert(fc.property(fc.json({ maxDepth: 12 }), bothDecoders), { numRuns: 500 });
  });

  it("on arbitrary JavaScript values that are not strings", () => {
    fc.assert(fc.property(fc.anything(), bothDecoders), { numRuns: 300 });
  });

  it("on arbitrary objects with a valid type", () => {
    fc.assert(
      fc.property(objectWithFrameType, (object) => bothDecoders(JSON.stringify(object))),
      { numRuns: 1000 },
    );
  });

  it("on valid frames cut short or with a byte changed", () => {
    const mangled = fc
      .tuple(fc.oneof(validClientFrame, validServerFrame), fc.nat(), fc.string({ maxLength: 2 }))
      .map(([frame, at, insert]) => {
        const text = encode(frame);
        const cut = at % (text.length + 1);
        return text.slice(0, cut) + insert + text.slice(cut + 1);
      });
    fc.assert(fc.property(mangled, bothDecoders), { numRuns: 500 });
  });
});

describe("nesting depth", () => {
  it("a frame is too_deep exactly when it nests deeper than maxJsonDepth", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.constantFrom("[", '{"k":'), (depth, open) => {
        const close = open === "[" ? "]" : "}";
        const result = decode(`{"type":"ping","t":${open.repeat(depth)}1${close.repeat(depth)}}`);
        // The frame object itself is the first level.
        if (depth + 1 > DEFAULT_LIMITS.maxJsonDepth) expect(result).toMatchObject({ ok: false, error: { reason: "too_deep" } });
        else expect(result).toMatchObject({ ok: false, error: { reason: "invalid_field", field: "t" } });
      }),
    );
  });
});

describe("round trips", () => {
  it("decode(encode(f)) returns f for every valid client frame", () => {
    fc.assert(
      fc.property(validClientFrame, (frame) => {
        expect(decode(encode(frame))).toEqual({ ok: true, frame });
      }),
      { numRuns: 500 },
    );
  });

  it("decodeServerFrame(encode(f)) returns f for every valid server frame", () => {
    fc.assert(
      fc.property(validServerFrame, (frame) => {
        expect(decodeServerFrame(encode(frame))).toEqual({ ok: true, frame });
      }),
      { numRuns: 500 },
    );
  });
});

describe("chat text and names", () => {
  it("a chat with a valid clientMsgId is accepted, or refused with that clientMsgId echoed", () => {
    const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 30 }), fc.constantFrom("", "  ", "😀".repeat(2001), "x".repeat(2001)));
    fc.assert(
      fc.property(anyText, clientMsgId, (text, id) => {
        const result = decode(JSON.stringify({ type: "chat", text, clientMsgId: id }));
        if (result.ok) expect(result.frame).toEqual({ type: "chat", text: text.trim(), clientMsgId: id });
        else expect(result.error.clientMsgId).toBe(id);
      }),
      { numRuns: 500 },
    );
  });

  it("whitespace around a valid text never changes the outcome", () => {
    const padding = fc.string({ unit: fc.constantFrom(" ", "\n", "\t", "\u3000", "\u00a0"), maxLength: 8 });
    fc.assert(
      fc.property(chatText, padding, padding, (text, before, after) => {
        expect(decode(JSON.stringify({ type: "chat", text: before + text + after, clientMsgId: "a" }))).toEqual({
          ok: true,
          frame: { type: "chat", text, clientMsgId: "a" },
        });
      }),
      { numRuns: 300 },
    );
  });

  it("normalizeName is idempotent", () => {
    fc.assert(
      fc.property(validName, (name) => {
        expect(normalizeName(name)).toEqual({ ok: true, name });
      }),
      { numRuns: 500 },
    );
  });
});
