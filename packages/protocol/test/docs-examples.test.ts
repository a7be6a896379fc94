import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_FRAME_TYPES, CLOSE_CODES, decode, decodeServerFrame, ERROR_CODE_LIST, SERVER_FRAME_TYPES } from "../src/index";

/** docs/protocol.md is what people write clients from, so its examples must be real frames. */
const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
/** Blocks fenced `json refused`: a frame shown because the server refuses it (the answer follows it in the doc). */
const refusedBlocks = [...doc.matchAll(/```json refused\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

describe("docs/protocol.md", () => {
  it.each(jsonBlocks.map((block, index) => [index, block] as const))("JSON example #%i is a valid frame", (_index, block) => {
    const asClient = decode(block);
    const asServer = decodeServerFrame(block);
    expect(asClient.ok || asServer.ok, JSON.stringify([asClient, asServer])).toBe(true);
  });

  it("shows refused frames, and each is one the decoder refuses as an invalid field, its clientMsgId echoed", () => {
    expect(refusedBlocks.length).toBeGreaterThan(0);
    for (const block of refusedBlocks) {
      const result = decode(block);
      expect(result.ok, block).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ reason: "invalid_field", clientMsgId: JSON.parse(block).clientMsgId });
    }
  });

  it("has an example of every client and every server frame", () => {
    const client = new Set<string>();
    const server = new Set<string>();
    for (const block of jsonBlocks) {
      const asClient = decode(block);
      const asServer = decodeServerFrame(block);
      if (asClient.ok) client.add(asClient.frame.type);
      if (asServer.ok) server.add(asServer.frame.type);
    }
    expect([...client].sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
    expect([...server].sort()).toEqual([...SERVER_FRAME_TYPES].sort());
  });

  it("lists every close code and every error code in its tables", () => {
    for (const { code } of Object.values(CLOSE_CODES)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, "m"));
    for (const code of ERROR_CODE_LIST) expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\|`, "m"));
  });
});
