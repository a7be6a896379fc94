import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import type { ClientSpec, ServerKind } from "./messages";

/** What a bench client hears, whatever the server's protocol. */
export interface ClientHandlers {
  welcome(): void;
  /** A broadcast chat; `data` holds the sent text somewhere inside it. */
  chat(data: Buffer | string): void;
  /** Our server only: an `edit` event (its text is stamped like a chat's). */
  edit(data: Buffer): void;
  /** Our server only: a `reaction` event (its clientMsgId carries the stamp). */
  reaction(data: Buffer): void;
  ack(clientMsgId: string, seq: number): void;
  system(bytes: number): void;
  other(): void;
  error(detail: string): void;
  closed(): void;
}

export interface BenchClient {
  send(text: string, clientMsgId: string): void;
  /** Our server only (the baselines have no edits or reactions). */
  edit?(target: number, text: string, clientMsgId: string): void;
  react?(target: number, emoji: string, on: boolean, clientMsgId: string): void;
  close(): void;
}

/** Offset of the first byte after `{"type":"` in every frame our server encodes. */
const TYPE_AT = 9;
const C = 0x63; // chat
const A = 0x61; // ack
const S = 0x73; // system
const J = 0x6a; // joined
const E = 0x65; // edit or error: the next byte tells ("d" or "r")
const R = 0x72; // reaction or ready: the fourth byte tells ("c" or "d")
const LOWER_D = 0x64;
const LOWER_C = 0x63;

export function connectClient(kind: ServerKind, port: number, spec: ClientSpec, on: ClientHandlers): BenchClient {
  if (kind === "socketio") return socketIoClient(port, spec, on);
  if (kind === "seed") return seedClient(port, on);
  return chatroomClient(port, spec, on);
}

/**
 * Our protocol 2: one socket, `hello` then a `join` per room, sent together on open; JSON frames,
 * and the first byte of the type is enough to route a frame. The client counts as welcomed when
 * every room it joins has answered `joined`.
 */
function chatroomClient(port: number, spec: ClientSpec, on: ClientHandlers): BenchClient {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
  const rooms = [spec.room, ...(spec.alsoJoin ?? [])];
  let joinsPending = rooms.length;
  ws.on("open", () => {
    ws.send(JSON.stringify({ type: "hello", protocol: 2, name: spec.name }));
    for (const room of rooms) ws.send(JSON.stringify({ type: "join", room }));
  });
  ws.on("message", (data: Buffer) => {
    switch (data[TYPE_AT]) {
      case C:
        on.chat(data);
        return;
      case A: {
        const frame = JSON.parse(data.toString()) as { clientMsgId: string; seq: number };
        on.ack(frame.clientMsgId, frame.seq);
        return;
      }
      case S:
        on.system(data.length);
        return;
      case J:
        if (--joinsPending === 0) on.welcome();
        return;
      case E:
        if (data[TYPE_AT + 1] === LOWER_D) on.edit(data);
        else on.error(data.toString().slice(0, 160));
        return;
      case R:
        if (data[TYPE_AT + 3] === LOWER_C) on.reaction(data);
        else on.other();
        return;
      default:
        on.other();
    }
  });
  wireWs(ws, on);
  return {
    send(text, clientMsgId) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "chat", room: spec.room, text, clientMsgId }));
    },
    edit(target, text, clientMsgId) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "edit", room: spec.room, target, text, clientMsgId }));
    },
    react(target, emoji, set, clientMsgId) {
      if (ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ type: "react", room: spec.room, target, emoji, on: set, clientMsgId }));
    },
    close: () => ws.terminate(),
  };
}

/** The seed: raw text; the first frame is "Welcome …", every other one is "<name> -> <text>". */
function seedClient(port: number, on: ClientHandlers): BenchClient {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
  let welcomed = false;
  ws.on("message", (data: Buffer) => {
    if (!welcomed) {
      welcomed = true;
      on.welcome();
      return;
    }
    on.chat(data);
  });
  wireWs(ws, on);
  return {
    send(text) {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close: () => ws.terminate(),
  };
}

function wireWs(ws: WebSocket, on: ClientHandlers): void {
  ws.on("error", (error) => on.error(error.message));
  ws.on("close", () => on.closed());
}

/** Socket.IO: emit("chat", text) and on("chat", { from, text, ts }). */
function socketIoClient(port: number, spec: ClientSpec, on: ClientHandlers): BenchClient {
  const socket: Socket = io(`http://127.0.0.1:${port}`, {
    transports: ["websocket"],
    query: { room: spec.room, name: spec.name },
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  socket.on("welcome", () => on.welcome());
  socket.on("chat", (message: { text: string }) => on.chat(message.text));
  socket.on("connect_error", (error) => on.error(error.message));
  socket.on("disconnect", () => on.closed());
  return {
    send(text) {
      socket.emit("chat", text);
    },
    close: () => socket.disconnect(),
  };
}
