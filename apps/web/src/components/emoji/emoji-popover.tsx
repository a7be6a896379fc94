import { lazy, Suspense, useEffect, useRef } from "react";
import { useStrings } from "../../i18n/use-strings";

// The picker and its data are the heaviest part of the page: fetched the first time it opens.
const Picker = lazy(() => import("./emoji-picker"));

/** The full emoji picker over the log, for one message; Escape or a click elsewhere closes it. */
export function EmojiPopover({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const t = useStrings();
  const popover = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    const onPointer = (event: PointerEvent) => {
      if (!popover.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [onClose]);
  return (
    <div ref={popover} className="emoji-popover" role="dialog" aria-label={t.emojiPicker} data-testid="emoji-picker">
      <Suspense fallback={<p className="emoji-status">{t.emojiLoading}</p>}>
        <Picker locale={document.documentElement.lang.startsWith("zh") ? "zh" : "en"} strings={t} onPick={onPick} />
      </Suspense>
    </div>
  );
}
