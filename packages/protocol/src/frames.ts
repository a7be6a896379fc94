// Every wire frame's zod schema, in one import: the shared fields (`frame-fields.ts`), the client's
// frames (`client-frames.ts`), the stored room events (`room-events.ts`) and the server's frames
// (`server-frames.ts`). Types are inferred from the schemas there. The names re-exported here are
// the protocol's public frame API; helpers the split files share stay inside the package.
import { type ClientFrameType, clientFrameSchema } from "./client-frames";
import { type ServerFrameType, serverFrameSchema } from "./server-frames";

export {
  type AckedClientFrame,
  type ChangeClientFrame,
  type ClientFrame,
  type ClientFrameOf,
  type ClientFrameType,
  clientFrameSchema,
  createClientFrameSchema,
  type RoomClientFrame,
} from "./client-frames";
export {
  chatTextSchema,
  clientMsgIdSchema,
  DEFAULT_NOTIFY_LEVEL,
  emojiSchema,
  type NotifyLevel,
  nameSchema,
  notifyLevelSchema,
  roomSchema,
  TEXT_TOO_LONG,
} from "./frame-fields";
export {
  type ChangeEvent,
  type ChatFrame,
  chatFrameSchema,
  type DeleteEvent,
  deleteEventSchema,
  type EditEvent,
  editEventSchema,
  type PageEvent,
  type ReactionEvent,
  type ReactionSummary,
  type ReplyQuote,
  ROOM_EVENT_TYPES,
  type RoomEvent,
  reactionEventSchema,
  reactionSummarySchema,
  replyQuoteSchema,
  type UnknownRoomEvent,
  unknownRoomEventSchema,
} from "./room-events";
export {
  type ErrorFrame,
  type HistoryFrame,
  type JoinedFrame,
  type LeftFrame,
  type MembershipEntry,
  membershipSchema,
  type ReadyFrame,
  type ReadyLimits,
  readyLimitsSchema,
  type ServerFrame,
  type ServerFrameOf,
  type ServerFrameType,
  type SystemFrame,
  serverFrameSchema,
} from "./server-frames";

/** An option of a frame union: a frame schema, or a union of one frame type's variants (by `action`). */
interface FrameOption {
  shape?: { type: { value: string } };
  options?: ReadonlyArray<{ shape: { type: { value: string } } }>;
}

/** The `type` each option of a frame union stands for. */
export function frameTypeOf(option: FrameOption): string {
  const type = option.shape?.type.value ?? option.options?.[0]?.shape.type.value;
  if (type === undefined) throw new Error("a frame union option without a literal type");
  return type;
}

// Pure, like `clientFrameSchema` in client-frames.ts: a page never lists frame types, so both
// lists (and with the client list, the client schemas it reads) drop out of its bundle.
export const CLIENT_FRAME_TYPES = /* @__PURE__ */ (clientFrameSchema.options as readonly FrameOption[]).map(
  frameTypeOf,
) as ClientFrameType[];
export const SERVER_FRAME_TYPES = /* @__PURE__ */ (serverFrameSchema.options as readonly FrameOption[]).map(
  frameTypeOf,
) as ServerFrameType[];
