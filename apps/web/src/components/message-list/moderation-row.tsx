import type { ModerationEvent } from "@chatroom/protocol";
import { lazy, memo, Suspense } from "react";

// Most rooms never show a moderation line: their wording is a chunk of its own.
const ModerationLineText = lazy(() => import("../staff/moderation-line-text").then((module) => ({ default: module.ModerationLineText })));

/** The inside of a moderation line: who did what to whom, as the room's log stored it. */
export const ModerationRow = memo(function ModerationRow({ event }: { event: ModerationEvent }) {
  // Until the words are in, a blank of one line's height, so the list does not jump.
  return (
    <span>
      <Suspense fallback={"\u00a0"}>
        <ModerationLineText event={event} />
      </Suspense>
    </span>
  );
});
