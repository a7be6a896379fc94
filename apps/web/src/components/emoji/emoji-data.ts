import type { EmojiData } from "frimousse";

/** An entry of emojibase-data's compact.json (the fields used here). */
interface CompactEmoji {
  unicode: string;
  label: string;
  group?: number;
  order?: number;
  tags?: string[];
  hexcode: string;
  skins?: { unicode: string; hexcode: string }[];
}
interface Messages {
  groups: { key: string; message: string; order: number }[];
  skinTones: { key: string; message: string }[];
}

/** The skin tone a single Fitzpatrick modifier stands for, by its code point. */
const TONES: Record<string, "light" | "medium-light" | "medium" | "medium-dark" | "dark"> = {
  "1F3FB": "light",
  "1F3FC": "medium-light",
  "1F3FD": "medium",
  "1F3FE": "medium-dark",
  "1F3FF": "dark",
};

/** The locales shipped with the page: emojibase-data's own JSON, bundled as chunks loaded when the picker first opens (no CDN). */
const LOADERS = {
  en: () => Promise.all([import("emojibase-data/en/compact.json"), import("emojibase-data/en/messages.json")]),
  zh: () => Promise.all([import("emojibase-data/zh/compact.json"), import("emojibase-data/zh/messages.json")]),
};
export type EmojiLocale = keyof typeof LOADERS;

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** emojibase's compact data as frimousse's EmojiData (the shape its own CDN loader builds). */
export function toEmojiData(locale: EmojiLocale, emojis: readonly CompactEmoji[], messages: Messages): EmojiData {
  const component = messages.groups.find((group) => group.key === "component")?.order;
  return {
    locale,
    categories: messages.groups
      .filter((group) => group.order !== component)
      .map((group) => ({ index: group.order, label: capitalize(group.message) })),
    skinTones: Object.fromEntries(messages.skinTones.map((tone) => [tone.key, capitalize(tone.message)])) as EmojiData["skinTones"],
    emojis: emojis
      .filter((emoji) => emoji.group !== undefined && emoji.group !== component)
      .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
      .map((emoji) => {
        const skins = Object.fromEntries(
          (emoji.skins ?? []).flatMap((skin) => {
            const tone = TONES[skin.hexcode.split("-")[1] ?? ""];
            // Only one-person variations: two-tone pairs have no single tone to pick.
            return tone && skin.hexcode.split("-").filter((part) => TONES[part]).length === 1 ? [[tone, skin.unicode]] : [];
          }),
        );
        return {
          emoji: emoji.unicode,
          category: emoji.group ?? 0,
          label: capitalize(emoji.label),
          // compact.json carries no version: every emoji counts as supported (the native font decides how it looks).
          version: 0,
          tags: emoji.tags ?? [],
          ...(Object.keys(skins).length === 5 ? { skins: skins as NonNullable<EmojiData["emojis"][number]["skins"]> } : {}),
        };
      }),
  };
}

/** frimousse's `resolveEmojiData`: the bundled data for the page's language. */
export async function resolveEmojiData(locale: string): Promise<EmojiData> {
  const key: EmojiLocale = locale === "zh" ? "zh" : "en";
  const [emojis, messages] = await LOADERS[key]();
  return toEmojiData(key, emojis.default as CompactEmoji[], messages.default as Messages);
}
