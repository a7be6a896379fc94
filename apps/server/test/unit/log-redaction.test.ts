import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { REDACTED, redactFrame, secretSafeLogging, withoutQueryValues } from "../../src/log-redaction";

describe("the request log's URL", () => {
  it("keeps the path and parameter names, never a value", () => {
    expect(withoutQueryValues("/ws?room=qa4&session=lvBy0123456789abcdef")).toBe("/ws?room=…&session=…");
    expect(withoutQueryValues("/api/rooms?limit=20")).toBe("/api/rooms?limit=…");
  });

  it("leaves a URL without a query as it is", () => {
    expect(withoutQueryValues("/ws")).toBe("/ws");
    expect(withoutQueryValues("/r/lobby")).toBe("/r/lobby");
  });

  it("drops names that are not plain short words, since a bare token can stand where a name goes", () => {
    expect(withoutQueryValues("/ws?lvBy0123456789abcdefghijklmnopqrstuvwxyz")).toBe("/ws?…");
    expect(withoutQueryValues("/ws?a%20b=c&&")).toBe("/ws?…");
    expect(withoutQueryValues("/ws?")).toBe("/ws?");
  });
});

describe("the logger's secret redaction", () => {
  /** A real Fastify logger with the server's options, writing its lines to an array. */
  function capture() {
    const lines: string[] = [];
    const app = Fastify({
      logger: { level: "trace", ...secretSafeLogging(), stream: { write: (line: string) => void lines.push(line) } },
    });
    return { log: app.log, lines };
  }

  const secret = "S3cr3t-capability-0123456789abcdefghijklmno";

  it("keeps every secret field of every frame type out, however the frame is logged", () => {
    const { log, lines } = capture();
    const frames = [
      { type: "hello", protocol: 2, token: secret, adminKey: secret, name: "alice" },
      { type: "join", room: "team", key: secret },
      { type: "join", room: "team", invite: secret },
      { type: "created", room: "team", key: secret },
      { type: "invite-created", room: "team", invite: { id: "i_1" }, code: secret },
      { type: "auth", token: secret },
    ];
    for (const frame of frames) {
      log.trace({ frame }, "frame in");
      log.debug({ [frame.type]: frame }, "frame by type");
      log.info(frame, "frame at the top");
    }
    log.info({ headers: { authorization: `Bearer ${secret}` } }, "headers");
    log.info({ req: { method: "GET", url: "/api/admin/rooms", headers: { authorization: `Bearer ${secret}` } } }, "request");
    expect(lines).toHaveLength(frames.length * 3 + 2);
    expect(lines.filter((line) => line.includes(secret.slice(0, 12)))).toEqual([]);
    // What is not secret stays readable.
    expect(lines.some((line) => line.includes('"room":"team"') && line.includes('"frame"'))).toBe(true);
  });

  it("leaves fields named key or code alone outside their frames (error codes, close codes)", () => {
    const { log, lines } = capture();
    log.warn({ code: 4001, err: { code: "ECONNRESET" }, key: "room:lobby" }, "closed");
    expect(lines[0]).toContain('"code":4001');
    expect(lines[0]).toContain("ECONNRESET");
    expect(lines[0]).toContain("room:lobby");
  });

  it("redacts a frame's copy, never the frame itself", () => {
    const frame = { type: "join", room: "team", key: secret };
    expect(redactFrame(frame)).toEqual({ type: "join", room: "team", key: REDACTED });
    expect(frame.key).toBe(secret);
    expect(redactFrame("text")).toBe("text");
    expect(redactFrame({ type: "chat", text: "hi" })).toEqual({ type: "chat", text: "hi" });
  });
});
