import { describe, expect, it } from "vitest";
import { messagePath } from "../src/message-link";
import { roomFromPath } from "../src/room-route";

describe("a message's address", () => {
  it("is /r/<room>/<seq>, for the lobby too, and names its room for the page's navigation", () => {
    expect(messagePath("dev", 42)).toBe("/r/dev/42");
    expect(messagePath("lobby", 7)).toBe("/r/lobby/7");
    expect(roomFromPath(messagePath("dev", 42))).toBe("dev");
    expect(roomFromPath("/r/dev/not-a-seq")).toBe("lobby");
  });
});
