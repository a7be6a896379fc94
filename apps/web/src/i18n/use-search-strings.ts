import { SEARCH_EN, type SearchStrings } from "./search-en";
import { SEARCH_ZH_CN } from "./search-zh-cn";
import { useStrings } from "./use-strings";

/** The search panel's strings in the page's language (imported by the lazy search chunk only). */
export function useSearchStrings(): SearchStrings {
  return useStrings().locale === "zh-CN" ? SEARCH_ZH_CN : SEARCH_EN;
}
