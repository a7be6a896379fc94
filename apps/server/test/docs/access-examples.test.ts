import { readFileSync } from "node:fs";
import type { ClientFrame, ServerFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ackOf, createRoom, joinWith, leftOf } from "../support/access-frames";
import { useTestServer } from "../support/use-test-server";

/**
 * docs/protocol.md's "Who may enter and who may speak" shows its frames as examples. Its story is
 * played here against the real server, sending the doc's own client frames where they stand
 * alone, and every server frame the section shows must be what the server sent: the same fields
 * and values, with what differs between runs (rooms, seqs, times, secrets, ids) replaced by
 * placeholders. The JWT frames (`authed`) are the identity layer's, tested with it.
 */
const doc = readFileSync(new URL("../../../../docs/protocol.md", import.meta.url), "utf8");
const section = doc.slice(doc.indexOf("## Who may enter and who may speak"), doc.indexOf("## Guarantees"));
const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1] ?? "null") as Record<string, unknown>);

/** Server frames the section shows; `report` and `room-admin` are also client frames, told apart by their fields. */
function isServerExample(example: Record<string, unknown>): boolean {
  switch (example.type) {
    case "created":
    case "moderation":
    case "left":
    case "invite-created":
    case "invite-revoked":
    case "reported":
    case "report-resolved":
      return true;
    case "report":
      return typeof example.report === "object";
    case "room-admin":
      return "invites" in example;
    default:
      return false;
  }
}

function docFrame(type: string, clientMsgId: string): ClientFrame {
  const frame = examples.find((example) => example.type === type && example.clientMsgId === clientMsgId && !isServerExample(example));
  if (!frame) throw new Error(`the doc shows no ${type} ${clientMsgId}`);
  return frame as unknown as ClientFrame;
}

const VARYING = new Set(["ts", "until", "expiresAt", "seq", "target", "key", "code"]);

/** Users by name; rooms, seqs, times, secrets and ids as placeholders. */
function normalize(value: unknown, users: Map<string, string>, key = ""): unknown {
  if (Array.isArray(value)) return value.map((item) => normalize(item, users));
  if (typeof value === "string") {
    if (users.has(value)) return `<user ${users.get(value)}>`;
    if (VARYING.has(key)) return `<${key}>`;
    if (key === "room") return "<room>";
    if (key === "id" || key === "report" || key === "invite") return "<id>";
    return value;
  }
  if (typeof value === "number" && VARYING.has(key)) return `<${key}>`;
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([field, inner]) => [field, normalize(inner, users, field)]));
}

function docUsers(): Map<string, string> {
  const users = new Map<string, string>();
  for (const match of section.matchAll(/"id":\s*"(u_[^"]+)",\s*"name":\s*"([^"]+)"/g)) users.set(match[1] as string, match[2] as string);
  return users;
}

describe("the Who may enter and who may speak section of docs/protocol.md, against the real server", () => {
  const fixture = useTestServer();

  it("every server frame it shows is what the server sends for its story", async () => {
    await fixture.start();
    const alice = await fixture.open({ name: "alice" });
    const bob = await fixture.open({ name: "bob" });
    const carol = await fixture.open({ name: "carol" });
    const bobId = bob.ready.you.id;

    // A private room, its owner link, an invite made and revoked.
    alice.send(docFrame("create", "n-1"));
    const created = await alice.waitForType("created");
    const team = await joinWith(alice, "team", { key: created.key, since: 0 });
    await ackOf(alice, docFrame("invite", "i-1") as Extract<ClientFrame, { clientMsgId: string }>);
    const invite = await alice.waitForType("invite-created");
    await ackOf(alice, {
      ...(docFrame("revoke-invite", "i-2") as Extract<ClientFrame, { type: "revoke-invite" }>),
      invite: invite.invite.id,
    });

    // An open room with an owner: a mute, a report and its resolution, a ban, the staff view.
    const { key } = await createRoom(alice, "hall", { private: false });
    await joinWith(alice, "hall", { key });
    await joinWith(bob, "hall");
    await joinWith(carol, "hall");
    const spam = await ackOf(bob, { type: "chat", room: "hall", text: "buy now", clientMsgId: "b-1" });
    await ackOf(alice, {
      ...(docFrame("moderate", "m-1") as Extract<ClientFrame, { type: "moderate" }>),
      room: "hall",
      user: bobId,
    } as never);
    await ackOf(carol, { ...(docFrame("report", "p-1") as Extract<ClientFrame, { type: "report" }>), room: "hall", target: spam });
    const reported = await carol.waitForType("reported");
    await alice.waitForType("report");
    await ackOf(alice, {
      ...(docFrame("resolve-report", "p-2") as Extract<ClientFrame, { type: "resolve-report" }>),
      room: "hall",
      report: reported.report,
    });
    await alice.waitForType("report-resolved");
    await ackOf(alice, { type: "moderate", room: "hall", clientMsgId: "m-2", action: "unmute", user: bobId });
    await ackOf(alice, { type: "moderate", room: "hall", clientMsgId: "m-3", action: "ban", user: bobId, durationMs: 86_400_000 });
    await leftOf(bob, "hall");
    alice.send({ type: "room-admin", room: "hall" });
    await alice.waitForType("room-admin");

    const users = docUsers();
    for (const client of [alice, bob, carol]) users.set(client.ready.you.id, client.ready.you.name);
    const sent = (type: string, predicate: (frame: ServerFrame) => boolean = () => true) =>
      [...alice.frames, ...bob.frames, ...carol.frames].find((frame) => frame.type === type && predicate(frame));
    const shown = examples.filter(isServerExample);
    expect(shown.length).toBeGreaterThanOrEqual(10);
    for (const example of shown) {
      let actual: unknown;
      if (example.type === "moderation" && example.action === "create") actual = team.type === "joined" ? team.messages[0] : undefined;
      else if (example.type === "moderation")
        actual = sent("moderation", (f) => "clientMsgId" in f && f.clientMsgId === example.clientMsgId);
      else if (example.type === "left") actual = sent("left", (f) => f.type === "left" && f.reason === example.reason);
      else if (example.type === "report" || example.type === "room-admin") actual = sent(String(example.type));
      else actual = sent(String(example.type), (f) => "clientMsgId" in f && f.clientMsgId === example.clientMsgId);
      expect(actual, `a server frame for the doc's ${JSON.stringify(example).slice(0, 120)}`).toBeDefined();
      expect(normalize(actual, users)).toEqual(normalize(example, users));
    }
    for (const client of [alice, bob, carol]) expect(client.invalid).toEqual([]);
  });
});
