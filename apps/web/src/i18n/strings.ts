import { EN, type Strings } from "./en";

export type { Strings } from "./en";

/** The page's languages. English is in the main bundle; zh-CN is loaded only where it is used. */
export type Locale = "en" | "zh-CN";

/** zh-* browsers get Chinese; everyone else English. */
export function pickLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const lower = language.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

/** The strings of `locale`: English at once, others loaded as their own chunk. */
export async function loadStrings(locale: Locale): Promise<Strings> {
  return locale === "zh-CN" ? (await import("./zh-cn")).ZH_CN : EN;
}
