import { describe, expect, it } from "vitest";
import { checkNameScripts, decode, normalizeName } from "../src/index";

describe("checkNameScripts (TS #39 §5.2, Highly Restrictive)", () => {
  it.each([
    ["Latin", "alice"],
    ["Latin with digits and punctuation (Common)", "alice_2 (work)"],
    ["Latin with accents (NFKC)", "José Müller"],
    ["Chinese", "王小明"],
    ["Cyrillic", "Иван Петров"],
    ["Greek", "Αλέξανδρος"],
    ["Arabic with Arabic-Indic digits", "علي٣"],
    ["Japanese: Han, Hiragana and Katakana", "田中たなかタナカ"],
    ["Latin + Han + Hiragana + Katakana", "Tanaka 田中たなかタナカ"],
    ["Latin + Han + Bopomofo", "Lin 林ㄌㄧㄣ"],
    ["Latin + Han + Hangul", "Kim 金민수"],
    ["an emoji (Common) with Latin", "bob 😀"],
    ["Han with an ideographic comma (several scripts' extension)", "王、李"],
  ])("passes %s: %j", (_label, name) => {
    expect(checkNameScripts(name)).toEqual({ ok: true });
  });

  it.each([
    ["Latin with a Cyrillic а", "аlice", ["Cyrillic", "Latin"]],
    ["Latin with a Greek ο", "bοb", ["Latin", "Greek"]],
    ["Cyrillic with Latin", "Ивaн", ["Cyrillic", "Latin"]],
    ["Latin + Cyrillic + Greek", "aбγ", ["Latin", "Cyrillic", "Greek"]],
    ["Han with Cyrillic", "王иван", ["Han", "Cyrillic"]],
    ["Hangul with Hiragana (two CJK sets, no common one)", "민수たなか", ["Hangul", "Hiragana"]],
    ["Latin + Han + Hangul + Hiragana", "Kim金민たな", ["Latin", "Han", "Hangul", "Hiragana"]],
  ])("refuses %s (%j) and names the scripts", (_label, name, scripts) => {
    const checked = checkNameScripts(name);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.scripts).toEqual(scripts);
    expect(checked.reason).toContain("mixes scripts");
    for (const script of scripts) expect(checked.reason).toContain(script);
  });
});

describe("normalizeName and the codec", () => {
  it("refuse a mixed-script name as data, with the reason", () => {
    const checked = normalizeName("аlice");
    expect(checked).toMatchObject({ ok: false, problem: "mixed_scripts" });
    if (!checked.ok) expect(checked.reason).toMatch(/Cyrillic, Latin/);
  });

  it("decode a hello or a rename with such a name as name_refused, not as a malformed frame", () => {
    for (const frame of [
      { type: "hello", protocol: 2, name: "pаypal" },
      { type: "rename", name: "pаypal" },
    ]) {
      const decoded = decode(JSON.stringify(frame));
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) {
        expect(decoded.error.reason).toBe("name_refused");
        expect(decoded.error.field).toBe("name");
        expect(decoded.error.message).toMatch(/mixes scripts \(Latin, Cyrillic\)/);
      }
    }
  });

  it("still decode a single-script name", () => {
    expect(decode(JSON.stringify({ type: "rename", name: "王小明" }))).toEqual({ ok: true, frame: { type: "rename", name: "王小明" } });
  });
});
