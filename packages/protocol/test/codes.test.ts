import { describe, expect, it } from "vitest";
import { CLOSE_CODES, DEFAULT_LIMITS, ERROR_CODE_LIST, ERROR_CODES, PROTOCOL_VERSION, reconnectPolicyFor } from "../src/index";

/** The close-code table of the protocol 2 contract, with what the client does after each. */
const CONTRACT_CLOSE_CODES = [
  [1000, "none"],
  [1001, "resume"],
  [1003, "none"],
  [1009, "none"],
  [1011, "resume"],
  [4001, "new-session"],
  [4008, "resume"],
  [4029, "backoff"],
  [4401, "new-token"],
  [4408, "backoff"],
  [4501, "none"],
  [4505, "none"],
] as const;

/** Codes the WebSocket layer sends for malformed framing; the table holds them so clients know them too. */
const TRANSPORT_CLOSE_CODES = [
  [1002, "none"],
  [1007, "none"],
  [1008, "none"],
] as const;

describe("close codes", () => {
  it("hold exactly the contract's codes and the WebSocket layer's, each once", () => {
    const codes = Object.values(CLOSE_CODES).map((entry) => entry.code);
    const expected = [...CONTRACT_CLOSE_CODES, ...TRANSPORT_CLOSE_CODES].map(([code]) => code);
    expect(codes.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  });

  it.each([...CONTRACT_CLOSE_CODES, ...TRANSPORT_CLOSE_CODES])("%i: the client's policy is %s", (code, policy) => {
    expect(reconnectPolicyFor(code)).toBe(policy);
    const entry = Object.values(CLOSE_CODES).find((candidate) => candidate.code === code);
    expect(entry?.reconnect).toBe(policy);
    // A close reason must fit the 123 bytes a WebSocket close frame allows.
    expect(Buffer.byteLength(entry?.reason ?? "")).toBeLessThanOrEqual(123);
  });

  it("names the entries the server uses", () => {
    expect(CLOSE_CODES.normal.code).toBe(1000);
    expect(CLOSE_CODES.shuttingDown.code).toBe(1001);
    expect(CLOSE_CODES.binaryFrame.code).toBe(1003);
    expect(CLOSE_CODES.frameTooLarge.code).toBe(1009);
    expect(CLOSE_CODES.internalError.code).toBe(1011);
    expect(CLOSE_CODES.replaced.code).toBe(4001);
    expect(CLOSE_CODES.tooSlow.code).toBe(4008);
    expect(CLOSE_CODES.rateLimitAbuse.code).toBe(4029);
    expect(CLOSE_CODES.badRequest.code).toBe(4501);
    expect(CLOSE_CODES.helloTimeout.code).toBe(4408);
    expect(CLOSE_CODES.tokenExpired.code).toBe(4401);
    expect(CLOSE_CODES.unsupportedProtocol.code).toBe(4505);
  });

  it.each([[1005], [1006], [1012], [4999]])("treats %i, not in the table, as a dropped connection to resume", (code) => {
    expect(reconnectPolicyFor(code)).toBe("resume");
  });
});

describe("error codes", () => {
  it("are exactly the contract's twenty-two", () => {
    expect([...ERROR_CODE_LIST].sort()).toEqual([
      "bad_frame",
      "bad_query",
      "bad_request",
      "banned",
      "forbidden",
      "gone",
      "invite_invalid",
      "locked",
      "muted",
      "name_refused",
      "name_taken",
      "not_found",
      "not_joined",
      "rate_limited",
      "room_exists",
      "server_error",
      "slow_mode",
      "token_expired",
      "token_invalid",
      "too_long",
      "too_many_rooms",
      "unsupported_protocol",
    ]);
  });

  it.each(ERROR_CODE_LIST)("%s has a human description", (code) => {
    expect(ERROR_CODES[code].length).toBeGreaterThan(10);
  });
});

describe("defaults", () => {
  it("match the contract's numbers", () => {
    expect(PROTOCOL_VERSION).toBe(2);
    expect(DEFAULT_LIMITS).toMatchObject({
      maxTextLength: 2000,
      maxFrameBytes: 16 * 1024,
      maxNameLength: 32,
      welcomeLatest: 50,
      welcomeSinceMax: 500,
      welcomeMembersMax: 500,
      historyPageMax: 100,
      maxRooms: 50,
    });
  });
});
