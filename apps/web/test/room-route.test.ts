import { DEFAULT_ROOM } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { initialRoute } from "../src/room-route";

describe("initialRoute", () => {
  it("opens the room a path names, lower-cased, and puts the address right", () => {
    expect(initialRoute({ pathname: "/r/Dev", search: "?name=ann", hash: "#x" })).toEqual({
      room: "dev",
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
});
