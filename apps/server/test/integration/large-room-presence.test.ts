import { describe, expect, it } from "vitest";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
let server: StartedServer | undefined;

describe("presence in a room larger than its member list", () => {
  it("summarizes a join storm: each system frame names at most 10 users and carries the exact count", async () => {
    server = await fixture.start({ WELCOME_MEMBERS_MAX: "5" });
    const watcher = await TestClient.join(server.wsUrl, { name: "watcher" });
    fixture.track(watcher);
    const joiners = await Promise.all(Array.from({ length: 40 }, (_, i) => TestClient.join(server?.wsUrl ?? "", { name: `storm-${i}` })));
    fixture.track(...joiners);
    await watcher.waitFor((frame) => frame.type === "system" && frame.memberCount === 41);
    const systems = watcher.ofType("system");
    const large = systems.filter((frame) => frame.memberCount > 5);
    expect(large.length).toBeGreaterThan(0);
    for (const frame of large) expect(frame.joined.length).toBeLessThanOrEqual(10);
    const named = systems.reduce((sum, frame) => sum + frame.joined.length, 0);
    expect(named).toBeLessThan(40);
    // Coalesced: far fewer frames than joins.
    expect(systems.length).toBeLessThan(20);
    const last = joiners[39];
    expect(last?.joined.members.length).toBeLessThanOrEqual(5);
    expect(last?.joined.memberCount).toBeGreaterThan(5);
  });
});
