import { describe, expect, it } from "vitest";
import { withoutQueryValues } from "../../src/log-redaction";

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
