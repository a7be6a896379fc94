import type { z } from "zod";
import type { ErrorCode } from "./errors";
import {
  type ClientFrame,
  clientFrameSchema,
  createClientFrameSchema,
  frameTypeOf,
  type ServerFrame,
  serverFrameSchema,
  TEXT_TOO_LONG,
  type UnknownRoomEvent,
  unknownRoomEventSchema,
} from "./frames";
import { DEFAULT_LIMITS, type ProtocolLimits } from "./limits";
import { unknownModerationEventSchema } from "./moderation";
import { CLIENT_MSG_ID_PATTERN, codePointLength, ROOM_PATTERN } from "./text";

export type DecodeFailureReason =
  | "not_text"
  | "not_json"
  | "too_deep"
  | "not_object"
  | "unknown_type"
  | "forbidden_key"
  | "invalid_field"
  | "too_long"
  /** A well-formed name that TS #39 says could pass for another (mixed scripts): refused, with the reason. */
  | "name_refused";

export interface DecodeFailure {
  reason: DecodeFailureReason;
  message: string;
  /** The first field that broke, as a dotted path. */
  field?: string;
  /** Echoed so the sender can tell which of its messages failed. */
  clientMsgId?: string;
}

export type DecodeResult<T> = { ok: true; frame: T } | { ok: false; error: DecodeFailure };

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Rejects nesting deeper than `maxDepth` by scanning the raw text, so hostile input such as
 * ten thousand nested arrays costs one linear pass and never reaches the recursive JSON.parse.
 */
export function exceedsJsonDepth(raw: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

function parseJsonObject(raw: unknown, maxDepth: number): DecodeResult<Record<string, unknown>> {
  if (typeof raw !== "string") return fail("not_text", "frame must be a UTF-8 text frame");
  if (exceedsJsonDepth(raw, maxDepth)) return fail("too_deep", `JSON is nested deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail("not_json", "frame is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("not_object", "frame must be a JSON object");
  }
  // JSON.parse makes "__proto__" an own key; no frame has such a key at any depth, so name the
  // attack plainly instead of letting it reach code that might copy keys onto an object.
  const forbidden = findForbiddenKey(value, "");
  if (forbidden !== undefined) return fail("forbidden_key", `key "${forbidden.key}" is not allowed`, forbidden.path);
  return { ok: true, frame: value as Record<string, unknown> };
}

/** Depth was bounded by the scan above, so this recursion is bounded too. */
function findForbiddenKey(value: unknown, path: string): { key: string; path: string } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return { key, path: keyPath };
    const found = findForbiddenKey((value as Record<string, unknown>)[key], keyPath);
    if (found) return found;
  }
  return undefined;
}

function fail(reason: DecodeFailureReason, message: string, field?: string, clientMsgId?: string): { ok: false; error: DecodeFailure } {
  const error: DecodeFailure = { reason, message };
  if (field !== undefined) error.field = field;
  if (clientMsgId !== undefined) error.clientMsgId = clientMsgId;
  return { ok: false, error };
}

type FrameSchema<T> = z.ZodType<T> & { options: ReadonlyArray<Parameters<typeof frameTypeOf>[0]> };

function validate<T>(schema: FrameSchema<T>, object: Record<string, unknown>): DecodeResult<T> {
  const type = object.type;
  const clientMsgId =
    typeof object.clientMsgId === "string" && CLIENT_MSG_ID_PATTERN.test(object.clientMsgId) ? object.clientMsgId : undefined;
  if (typeof type !== "string") return fail("invalid_field", "frame needs a string `type`", "type", clientMsgId);
  if (!schema.options.some((option) => frameTypeOf(option) === type)) {
    return fail("unknown_type", `unknown frame type "${type.slice(0, 32)}"`, "type", clientMsgId);
  }
  const parsed = schema.safeParse(object);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || undefined;
  if (issue?.message === TEXT_TOO_LONG) return fail("too_long", TEXT_TOO_LONG, field, clientMsgId);
  if (issue?.code === "custom" && issue.params?.nameProblem === "mixed_scripts") {
    return fail("name_refused", issue.message, field, clientMsgId);
  }
  if (issue?.code === "unrecognized_keys") {
    const unknown = [...issue.path, issue.keys[0]].join(".");
    return fail("invalid_field", `unknown field(s): ${issue.keys.join(", ").slice(0, 64)}`, unknown, clientMsgId);
  }
  return fail("invalid_field", field ? `${field}: ${issue?.message}` : (issue?.message ?? "invalid frame"), field, clientMsgId);
}

export interface ClientCodec {
  decode(raw: unknown): DecodeResult<ClientFrame>;
}

/** A client-frame decoder bound to one set of limits, built once per server. */
export function createClientCodec(limits: Partial<ProtocolLimits> = {}): ClientCodec {
  const effective = { ...DEFAULT_LIMITS, ...limits };
  const schema = createClientFrameSchema(effective) as unknown as FrameSchema<ClientFrame>;
  return {
    decode(raw) {
      const object = parseJsonObject(raw, effective.maxJsonDepth);
      if (!object.ok) return object;
      return plainChat(object.frame, effective.maxTextLength) ?? validate(schema, object.frame);
    },
  };
}

/**
 * Chats are nearly every frame a server decodes. One that is plainly valid is checked by hand
 * with exactly the schema's rules; anything else (and so every error) goes through zod.
 */
function plainChat(object: Record<string, unknown>, maxTextLength: number): DecodeResult<ClientFrame> | undefined {
  if (object.type !== "chat") return undefined;
  const { room, text, clientMsgId } = object;
  if (typeof room !== "string" || typeof text !== "string" || typeof clientMsgId !== "string") return undefined;
  if (Object.keys(object).length !== 4 || !ROOM_PATTERN.test(room) || !CLIENT_MSG_ID_PATTERN.test(clientMsgId)) return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > maxTextLength * 2 || codePointLength(trimmed) > maxTextLength) return undefined;
  if (trimmed.includes("\u0000")) return undefined;
  return { ok: true, frame: { type: "chat", room, text: trimmed, clientMsgId } };
}

// Pure: a page, which never decodes a client frame, leaves the client schemas out (see client-frames.ts).
const defaultClientCodec = /* @__PURE__ */ createClientCodec();

/** Decodes a client→server frame. Never throws: any input gives a frame or a reason. */
export function decode(raw: unknown): DecodeResult<ClientFrame> {
  return defaultClientCodec.decode(raw);
}

/** Decodes a server→client frame, for clients. Never throws. */
export function decodeServerFrame(raw: unknown): DecodeResult<ServerFrame> {
  const object = parseJsonObject(raw, 16);
  return object.ok ? validate(serverFrameSchema as unknown as FrameSchema<ServerFrame>, object.frame) : object;
}

/**
 * Like `decodeServerFrame`, but a stored room event of a type this build does not know (it has
 * a `room` and a `seq`) comes back as an `UnknownRoomEvent`, so the client can advance past it.
 */
export function decodeServerFrameTolerant(raw: unknown): DecodeResult<ServerFrame | UnknownRoomEvent> {
  const decoded = decodeServerFrame(raw);
  if (decoded.ok || typeof raw !== "string") return decoded;
  if (decoded.error.reason === "unknown_type") {
    const event = unknownRoomEventSchema.safeParse(JSON.parse(raw));
    if (!event.success) return decoded;
    return { ok: true, frame: { type: "unknown-event", eventType: event.data.type, room: event.data.room, seq: event.data.seq } };
  }
  // A moderation action a newer server added: a known kind of event, stepped over all the same.
  if (decoded.error.reason === "invalid_field" && decoded.error.field === "action") {
    const event = unknownModerationEventSchema.safeParse(JSON.parse(raw));
    if (event.success)
      return { ok: true, frame: { type: "unknown-event", eventType: "moderation", room: event.data.room, seq: event.data.seq } };
  }
  return decoded;
}

/** Frames are built from inferred types, so encoding is plain serialization with no re-validation. */
export function encode(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/** The protocol error code a decode failure is answered with. */
export function errorCodeFor(failure: DecodeFailure): ErrorCode {
  if (failure.reason === "too_long") return "too_long";
  if (failure.reason === "name_refused") return "name_refused";
  return "bad_frame";
}

export { clientFrameSchema };
