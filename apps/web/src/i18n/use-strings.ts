import { createContext, useContext } from "react";
import { pickLocale, STRINGS, type Strings } from "./strings";

export const StringsContext = createContext<Strings>(STRINGS.en);

export function useStrings(): Strings {
  return useContext(StringsContext);
}

export function browserLocale() {
  return pickLocale(typeof navigator === "undefined" ? [] : [...(navigator.languages ?? []), navigator.language]);
}
