import type { ChangeClientFrame, ServerFrame, ServerFrameOf } from "@chatroom/protocol";
import type { TestClient } from "./test-client";

export type Answer = ServerFrameOf<"ack"> | ServerFrameOf<"error">;

/** Sends a chat, edit, delete or react and resolves with its answer: the ack, or the error naming its clientMsgId. */
export async function answerTo(client: TestClient, frame: ChangeClientFrame): Promise<Answer> {
  const from = client.frames.length;
  client.send(frame);
  return client.waitFor(
    (candidate): candidate is Answer =>
      (candidate.type === "ack" || candidate.type === "error") && candidate.clientMsgId === frame.clientMsgId,
    { from },
  );
}

/** Like `answerTo`, but the answer must be an ack: resolves with its seq. */
export async function acked(client: TestClient, frame: ChangeClientFrame): Promise<number> {
  const answer = await answerTo(client, frame);
  if (answer.type !== "ack") throw new Error(`${frame.type} ${frame.clientMsgId} was refused: ${JSON.stringify(answer)}`);
  return answer.seq;
}

/** The room's stored events this connection got live, in arrival order. */
export function liveEvents(client: TestClient, room: string): Array<ServerFrameOf<"chat" | "edit" | "delete" | "reaction">> {
  return client.frames.filter(
    (frame): frame is ServerFrameOf<"chat" | "edit" | "delete" | "reaction"> =>
      (frame.type === "chat" || frame.type === "edit" || frame.type === "delete" || frame.type === "reaction") && frame.room === room,
  );
}

/** Waits until this connection got the room's event with `seq` live. */
export function waitForSeq(client: TestClient, room: string, seq: number): Promise<ServerFrame> {
  return client.waitFor((frame) => "seq" in frame && "room" in frame && frame.room === room && frame.seq === seq && frame.type !== "ack");
}
