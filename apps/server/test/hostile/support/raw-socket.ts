import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { waitUntil } from "../../support/wait-until";

export interface FrameOptions {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** Clients must mask; `false` builds the illegal unmasked client frame. */
  mask?: boolean;
  /** Sets RSV1..3 bits (0..7), which no extension we negotiated allows. */
  rsv?: number;
}

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Builds one WebSocket frame byte for byte, legal or not. */
export function frame({ opcode, payload = Buffer.alloc(0), fin = true, mask = true, rsv = 0 }: FrameOptions): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const length = data.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | opcode;
  header[1] = (mask ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!mask) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  key.copy(header, 2 + lengthBytes);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = (data[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([header, masked]);
}

export interface ServerFrameRecord {
  opcode: number;
  payload: Buffer;
}

/**
 * A WebSocket client on a bare TCP socket, so tests can send what no well-behaved library would:
 * unmasked frames, invalid UTF-8, endless fragments, half frames. It parses what the server sends.
 */
export class RawSocket {
  readonly frames: ServerFrameRecord[] = [];
  /** The close code from the server's close frame, once one arrived. */
  closeCode: number | undefined;
  /** Resolves when the TCP connection has ended, for whatever reason. */
  readonly ended: Promise<void>;
  private buffer = Buffer.alloc(0);

  private constructor(readonly socket: Socket) {
    this.ended = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => this.parse(chunk));
  }

  /** Completes the opening handshake on `/ws?query` and resolves once the 101 arrived. */
  static async open(port: number, query = "", extraHeaders: string[] = []): Promise<RawSocket> {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const response = await handshake(socket, port, query, extraHeaders);
    if (!response.head.startsWith("HTTP/1.1 101")) {
      socket.destroy();
      throw new Error(`upgrade refused: ${response.head.split("\r\n")[0]}`);
    }
    const raw = new RawSocket(socket);
    if (response.rest.length > 0) raw.parse(response.rest);
    return raw;
  }

  /**
   * Opens `/ws` with no query, says hello and joins `room` in well-formed frames, and resolves
   * once the room's `joined` arrived: the starting point of an attack from inside a room.
   */
  static async joined(port: number, room: string, name = "raw-attacker"): Promise<RawSocket> {
    const raw = await RawSocket.open(port);
    await raw.sendJson({ type: "hello", protocol: 2, name });
    await raw.waitForText((f) => f.type === "ready");
    await raw.sendJson({ type: "join", room });
    await raw.waitForText((f) => f.type === "joined" && f.room === room);
    return raw;
  }

  /** One masked text frame holding `value` as JSON. */
  sendJson(value: unknown): Promise<void> {
    return this.write(frame({ opcode: OPCODE.text, payload: JSON.stringify(value) }));
  }

  write(data: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** Text frames received so far, parsed as JSON. */
  json(): Array<Record<string, unknown>> {
    return this.frames
      .filter((f) => f.opcode === OPCODE.text)
      .map((f) => JSON.parse(f.payload.toString("utf8")) as Record<string, unknown>);
  }

  /** Waits for the server to end the connection; rejects if it has not within `timeoutMs`. */
  async waitForEnd(timeoutMs = 5_000): Promise<number | undefined> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.ended,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`raw socket still open after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return this.closeCode;
  }

  waitForText(predicate: (frame: Record<string, unknown>) => boolean, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return waitUntil(() => this.json().find(predicate), {
      what: "a matching text frame",
      timeoutMs,
      intervalMs: 10,
      describe: () => `got ${JSON.stringify(this.json().map((f) => f.type))}`,
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = (this.buffer[0] as number) & 0x0f;
      let length = (this.buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      this.frames.push({ opcode, payload: Buffer.from(payload) });
      if (opcode === OPCODE.close && payload.length >= 2) this.closeCode = payload.readUInt16BE(0);
    }
  }
}

/** Sends an HTTP upgrade request and returns the response head plus any bytes after it. */
export function handshake(socket: Socket, port: number, query: string, extraHeaders: string[]): Promise<{ head: string; rest: Buffer }> {
  const lines = [
    `GET /ws${query ? `?${query}` : ""} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    ...extraHeaders,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
  ];
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.off("close", onClose);
      resolve({ head: received.subarray(0, end).toString("latin1"), rest: received.subarray(end + 4) });
    };
    const onClose = () => {
      socket.off("data", onData);
      if (received.length > 0) resolve({ head: received.toString("latin1"), rest: Buffer.alloc(0) });
      else reject(new Error("connection closed before any response"));
    };
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  });
}
