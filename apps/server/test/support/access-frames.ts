import type { ClientFrame, ServerFrame, ServerFrameOf } from "@chatroom/protocol";
import type { TestClient } from "./test-client";

export type Answer = ServerFrameOf<"ack"> | ServerFrameOf<"error">;
type WithClientMsgId = Extract<ClientFrame, { clientMsgId: string }>;

/** Sends any frame with a clientMsgId and resolves with its ack, or the error naming its clientMsgId. */
export async function answerOf(client: TestClient, frame: WithClientMsgId): Promise<Answer> {
  const from = client.frames.length;
  client.send(frame);
  return client.waitFor(
    (candidate): candidate is Answer =>
      (candidate.type === "ack" || candidate.type === "error") && candidate.clientMsgId === frame.clientMsgId,
    { from },
  );
}

/** Like `answerOf`, but the answer must be an ack: resolves with its seq. */
export async function ackOf(client: TestClient, frame: WithClientMsgId): Promise<number> {
  const answer = await answerOf(client, frame);
  if (answer.type !== "ack") throw new Error(`${frame.type} ${frame.clientMsgId} was refused: ${JSON.stringify(answer)}`);
  return answer.seq;
}

/** `create`: resolves with the owner's pass (from `created`) and the seq its ack names. */
export async function createRoom(client: TestClient, room: string, options: { private: boolean }): Promise<{ key: string; seq: number }> {
  const clientMsgId = `create-${room}`;
  const from = client.frames.length;
  const seq = await ackOf(client, { type: "create", room, private: options.private, clientMsgId });
  const created = await client.waitFor((f): f is ServerFrameOf<"created"> => f.type === "created" && f.clientMsgId === clientMsgId, {
    from,
  });
  return { key: created.key, seq };
}

/** Sends `join` with a credential and resolves with the `joined`, or the error about that room. */
export async function joinWith(
  client: TestClient,
  room: string,
  credential: { key?: string; invite?: string; since?: number } = {},
): Promise<ServerFrameOf<"joined"> | ServerFrameOf<"error">> {
  const from = client.frames.length;
  client.send({ type: "join", room, ...credential });
  return client.waitFor(
    (f): f is ServerFrameOf<"joined"> | ServerFrameOf<"error"> =>
      (f.type === "joined" || f.type === "error") && "room" in f && f.room === room,
    { from },
  );
}

/** `invite`: resolves with the code and the invite's id. */
export async function makeInvite(
  client: TestClient,
  room: string,
  options: { role?: "member" | "moderator"; maxUses?: number; clientMsgId: string },
): Promise<{ code: string; id: string }> {
  const from = client.frames.length;
  await ackOf(client, {
    type: "invite",
    room,
    role: options.role ?? "member",
    ...(options.maxUses === undefined ? {} : { maxUses: options.maxUses }),
    clientMsgId: options.clientMsgId,
  });
  const created = await client.waitFor(
    (f): f is ServerFrameOf<"invite-created"> => f.type === "invite-created" && f.clientMsgId === options.clientMsgId,
    { from },
  );
  return { code: created.code, id: created.invite.id };
}

/** The `left` this connection got for `room`. */
export function leftOf(client: TestClient, room: string): Promise<ServerFrameOf<"left">> {
  return client.waitFor((f): f is ServerFrameOf<"left"> => f.type === "left" && f.room === room);
}

/** Moderation events of `room` this connection got live, in arrival order. */
export function moderationOf(client: TestClient, room: string): Array<ServerFrameOf<"moderation">> {
  return client.frames.filter((f: ServerFrame): f is ServerFrameOf<"moderation"> => f.type === "moderation" && f.room === room);
}
