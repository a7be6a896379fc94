import { DEFAULT_ROOM } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { messagePath } from "../src/message-link";
import { initialRoute, messageFromPath, roomFromPath } from "../src/room-route";

describe("initialRoute", () => {
  it("opens the room a path names, lower-cased, and puts the address right", () => {
    expect(initialRoute({ pathname: "/r/Dev", search: "?name=ann", hash: "#x" })).toEqual({
      room: "dev",
      message: null,
      refusedRoom: null,
      canonicalUrl: "/r/dev?name=ann#x",
      rawName: "ann",
      urlName: { ok: true, name: "ann" },
    });
    expect(initialRoute({ pathname: "/r/dev", search: "", hash: "" })).toMatchObject({
      room: "dev",
      canonicalUrl: null,
      rawName: null,
      urlName: null,
    });
  });

  it("opens the lobby for a path naming no valid room, and remembers what was typed", () => {
    const route = initialRoute({ pathname: "/r/no%20spaces", search: "", hash: "" });
    expect(route).toMatchObject({ refusedRoom: "no spaces", canonicalUrl: "/" });
    expect(route.room).toBe(DEFAULT_ROOM);
  });

  it("keeps an invalid ?name= as typed for the dialog, with why it was refused", () => {
    const route = initialRoute({ pathname: "/", search: "?name=%20", hash: "" });
    expect(route.rawName).toBe(" ");
    expect(route.urlName).toMatchObject({ ok: false, problem: "empty" });
  });

  it("reads a link to a message, /r/<room>/<seq>, and keeps it in the address", () => {
    expect(initialRoute({ pathname: "/r/Dev/4711", search: "", hash: "" })).toMatchObject({
      room: "dev",
      message: 4711,
      refusedRoom: null,
      canonicalUrl: "/r/dev/4711",
    });
    expect(initialRoute({ pathname: "/r/dev/4711/", search: "", hash: "" })).toMatchObject({ message: 4711, canonicalUrl: "/r/dev/4711" });
    expect(initialRoute({ pathname: messagePath("dev", 12), search: "", hash: "" })).toMatchObject({ message: 12, canonicalUrl: null });
    // Not a seq: no message, and a path that names nothing is the lobby.
    for (const path of ["/r/dev/0", "/r/dev/-3", "/r/dev/x", "/r/dev/1.5", "/r/dev/99999999999999999"]) {
      expect(messageFromPath(path)).toBeNull();
    }
    expect(roomFromPath("/r/dev/x")).toBe(DEFAULT_ROOM);
    // A message in a room that is not valid: the lobby, saying so, with no message.
    expect(initialRoute({ pathname: "/r/Not%20A%20Room/5", search: "", hash: "" })).toMatchObject({
      room: DEFAULT_ROOM,
      message: null,
      refusedRoom: "Not A Room",
    });
  });
});
