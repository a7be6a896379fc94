import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DecodeFailureReason } from "../src/codec";
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
import { checkProperty } from "./check-property";

/** Every reason `decode` may name; spelled as a record so a new reason fails to compile here until it is listed. */
const REASON_SET = {
  not_text: true,
  not_json: true,
  too_deep: true,
  not_object: true,
  unknown_type: true,
  forbidden_key: true,
  invalid_field: true,
  too_long: true,
  name_refused: true,
} satisfies Record<DecodeFailureReason, true>;
const REASONS = Object.keys(REASON_SET);

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
    checkProperty(fc.property(fc.string({ unit: "binary", maxLength: 200 }), bothDecoders), { numRuns: 500 });
  });

  it("on arbitrary JSON texts", () => {
    checkProperty(fc.property(fc.json({ maxDepth: 12 }), bothDecoders), { numRuns: 500 });
  });

  it("on arbitrary JavaScript values that are not strings", () => {
    checkProperty(fc.property(fc.anything(), bothDecoders), { numRuns: 300 });
  });

  it("on arbitrary objects with a valid type", () => {
    checkProperty(
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
    checkProperty(fc.property(mangled, bothDecoders), { numRuns: 500 });
  });
});

describe("numbers", () => {
  /** Every double fast-check knows (NaN, the infinities, -0, subnormals), spelled as JSON text can spell it. */
  const spelledNumber = fc.oneof(
    fc.double().map((n) => (Number.isFinite(n) ? String(n) : n > 0 ? "1e999" : n < 0 ? "-1e999" : "NaN")),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => n.toExponential()),
    fc.constantFrom("-0", "-0.0", "-0e7", "-5e-424", "5e-324", "-5e-324", "1e999", "-1e999"),
  );

  it("a number decodes as JSON.parse reads it, with -0 as 0; NaN and infinities are refused", () => {
    checkProperty(
      fc.property(spelledNumber, (spelled) => {
        const raw = `{"type":"ping","t":${spelled}}`;
        const result = decode(raw);
        const parsed = spelled === "NaN" ? Number.NaN : (JSON.parse(spelled) as number);
        if (Number.isNaN(parsed)) expect(result).toMatchObject({ ok: false, error: { reason: "not_json" } });
        else if (!Number.isFinite(parsed)) expect(result).toMatchObject({ ok: false, error: { reason: "invalid_field", field: "t" } });
        else {
          expect(result).toEqual({ ok: true, frame: { type: "ping", t: parsed === 0 ? 0 : parsed } });
          if (result.ok && result.frame.type === "ping") expect(Object.is(result.frame.t, -0)).toBe(false);
          assertStable(result, decode);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("-0 in any number field of any frame decodes as 0 and survives encoding", () => {
    const frames = [
      '{"type":"ping","t":-5e-424}',
      '{"type":"history","room":"r","before":-0,"limit":5}',
      '{"type":"read","room":"r","seq":-0}',
      '{"type":"pong","t":-0.0}',
      '{"type":"ack","room":"r","clientMsgId":"a","seq":1,"ts":-0}',
      '{"type":"error","code":"rate_limited","message":"slow down","retryAfterMs":-0}',
      '{"type":"system","room":"r","ts":0,"joined":[],"left":[],"renamed":[],"memberCount":-0}',
    ];
    for (const raw of frames) {
      const client = decode(raw);
      const result = client.ok ? client : decodeServerFrame(raw);
      expect(result.ok, raw).toBe(true);
      const numbers = Object.values(result.ok ? result.frame : {}).filter((value) => typeof value === "number");
      expect(
        numbers.some((n) => Object.is(n, -0)),
        raw,
      ).toBe(false);
      bothDecoders(raw);
    }
  });
});

describe("nesting depth", () => {
  it("a frame is too_deep exactly when it nests deeper than maxJsonDepth", () => {
    checkProperty(
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
    checkProperty(
      fc.property(validClientFrame, (frame) => {
        expect(decode(encode(frame))).toEqual({ ok: true, frame });
      }),
      { numRuns: 500 },
    );
  });

  it("decodeServerFrame(encode(f)) returns f for every valid server frame", () => {
    checkProperty(
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
    checkProperty(
      fc.property(anyText, clientMsgId, (text, id) => {
        const result = decode(JSON.stringify({ type: "chat", room: "lobby", text, clientMsgId: id }));
        if (result.ok) expect(result.frame).toEqual({ type: "chat", room: "lobby", text: text.trim(), clientMsgId: id });
        else expect(result.error.clientMsgId).toBe(id);
      }),
      { numRuns: 500 },
    );
  });

  it("whitespace around a valid text never changes the outcome", () => {
    const padding = fc.string({ unit: fc.constantFrom(" ", "\n", "\t", "\u3000", "\u00a0"), maxLength: 8 });
    checkProperty(
      fc.property(chatText, padding, padding, (text, before, after) => {
        expect(decode(JSON.stringify({ type: "chat", room: "lobby", text: before + text + after, clientMsgId: "a" }))).toEqual({
          ok: true,
          frame: { type: "chat", room: "lobby", text, clientMsgId: "a" },
        });
      }),
      { numRuns: 300 },
    );
  });

  it("normalizeName is idempotent", () => {
    checkProperty(
      fc.property(validName, (name) => {
        expect(normalizeName(name)).toEqual({ ok: true, name });
      }),
      { numRuns: 500 },
    );
  });
});
