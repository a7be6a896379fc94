import { afterEach, describe, expect, it, vi } from "vitest";
import { type DecodeResult, decode, decodeServerFrame, errorCodeFor, exceedsJsonDepth } from "../src/index";

function reason<T>(result: DecodeResult<T>): string {
  if (result.ok) throw new Error(`expected a decode failure, got ${JSON.stringify(result.frame)}`);
  return result.error.reason;
}

afterEach(() => {
  vi.restoreAllMocks();
  delete (Object.prototype as Record<string, unknown>).polluted;
});

describe("input that is not a JSON object", () => {
  it.each([["{"], ["chat"], [""], ["{'type':'ping'}"], ['{"type":"ping",}'], ["\u0000"]])("%j is not_json", (input) => {
    expect(reason(decode(input))).toBe("not_json");
  });

  it.each([["[]"], ['[{"type":"ping"}]'], ["null"], ["1"], ['"ping"'], ["true"]])("%j is not_object", (input) => {
    expect(reason(decode(input))).toBe("not_object");
  });

  it.each([[Buffer.from('{"type":"ping"}')], [undefined], [null], [42], [{ type: "ping" }], [new ArrayBuffer(2)]])(
    "a non-string %# is not_text",
    (input) => {
      expect(reason(decode(input))).toBe("not_text");
    },
  );

  it("maps every such failure to bad_frame", () => {
    const result = decode("nope");
    if (result.ok) throw new Error("decoded");
    expect(errorCodeFor(result.error)).toBe("bad_frame");
  });
});

describe("deep nesting", () => {
  const deepArrays = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;

  it("rejects 10 KB of nested arrays as too_deep without ever calling JSON.parse", () => {
    expect(deepArrays.length).toBe(10_000);
    const parse = vi.spyOn(JSON, "parse");
    expect(reason(decode(deepArrays))).toBe("too_deep");
    expect(reason(decodeServerFrame(deepArrays))).toBe("too_deep");
    expect(parse).not.toHaveBeenCalled();
  });

  it("rejects deep nesting inside an otherwise valid frame", () => {
    const nested = `${"[".repeat(20)}1${"]".repeat(20)}`;
    expect(reason(decode(`{"type":"ping","t":${nested}}`))).toBe("too_deep");
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    const text = `${"[{".repeat(50)} \\" ${"[".repeat(50)}`;
    const result = decode(`{"type":"chat","room":"lobby","text":"${text}","clientMsgId":"a"}`);
    expect(result.ok).toBe(true);
  });

  it("counts depth exactly", () => {
    expect(exceedsJsonDepth("[[[]]]", 3)).toBe(false);
    expect(exceedsJsonDepth("[[[[]]]]", 3)).toBe(true);
    expect(exceedsJsonDepth('{"a":"[[[[[[","b":{"c":[]}}', 3)).toBe(false);
    expect(exceedsJsonDepth('"\\\\"[[[[', 3)).toBe(true);
  });
});

describe("prototype pollution", () => {
  it.each([
    ['{"__proto__":{"polluted":true},"type":"ping"}', "__proto__"],
    ['{"type":"ping","constructor":{"prototype":{"polluted":true}}}', "constructor"],
    ['{"type":"ping","prototype":{"polluted":true}}', "prototype"],
    ['{"type":"chat","text":{"__proto__":{"polluted":true}},"clientMsgId":"a"}', "text.__proto__"],
    ['{"type":"ping","t":[{"constructor":1}]}', "t.0.constructor"],
  ])("%s is forbidden_key at %s and pollutes nothing", (input, field) => {
    const result = decode(input);
    if (result.ok) throw new Error("decoded");
    expect(result.error).toMatchObject({ reason: "forbidden_key", field });
    expect(errorCodeFor(result.error)).toBe("bad_frame");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects forbidden keys nested in server frames too", () => {
    const input = '{"type":"typing","room":"lobby","user":{"__proto__":{"polluted":1},"id":"u","name":"n"},"active":true}';
    expect(reason(decodeServerFrame(input))).toBe("forbidden_key");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("allows those words as values", () => {
    expect(decode('{"type":"chat","room":"lobby","text":"__proto__ constructor","clientMsgId":"a"}').ok).toBe(true);
  });
});
