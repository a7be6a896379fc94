import { EmojiPicker, type EmojiPickerListEmojiProps, type EmojiPickerListRowProps } from "frimousse";
import { useEffect, useRef } from "react";
import type { Strings } from "../../i18n/strings";
import { resolveEmojiData } from "./emoji-data";

/** ARIA's row and column indexes count from 1; frimousse's count from 0, which axe rightly calls invalid. */
const fromOne = (index: unknown) => (typeof index === "number" ? index + 1 : undefined);

function Row(props: EmojiPickerListRowProps) {
  // biome-ignore lint/a11y/useAriaPropsSupportedByRole: frimousse passes role="row" in props
  return <div {...props} aria-rowindex={fromOne(props["aria-rowindex"])} />;
}

function Emoji({ emoji, ...props }: EmojiPickerListEmojiProps) {
  return (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: frimousse passes role="gridcell" in props
    <button type="button" {...props} aria-colindex={fromOne(props["aria-colindex"])}>
      {emoji.emoji}
    </button>
  );
}

const LIST_PARTS = { Row, Emoji };

/**
 * The full emoji picker (frimousse: small, unstyled, virtualized, keyboard navigable), with native
 * emoji and its data bundled locally. Loaded on first use: see emoji-popover.tsx.
 */
export default function Picker({ locale, strings: t, onPick }: { locale: "en" | "zh"; strings: Strings; onPick: (emoji: string) => void }) {
  const search = useRef<HTMLInputElement>(null);
  // The picker opens to be typed into.
  useEffect(() => search.current?.focus(), []);
  return (
    <EmojiPicker.Root
      className="emoji-picker"
      locale={locale}
      resolveEmojiData={resolveEmojiData}
      columns={8}
      onEmojiSelect={({ emoji }) => onPick(emoji)}
    >
      <EmojiPicker.Search ref={search} className="emoji-search" placeholder={t.emojiSearch} aria-label={t.emojiSearch} />
      <EmojiPicker.Viewport className="emoji-viewport">
        <EmojiPicker.Loading className="emoji-status">{t.emojiLoading}</EmojiPicker.Loading>
        <EmojiPicker.Empty className="emoji-status">{t.emojiNone}</EmojiPicker.Empty>
        <EmojiPicker.List className="emoji-list" components={LIST_PARTS} />
      </EmojiPicker.Viewport>
    </EmojiPicker.Root>
  );
}
