import { createContext, useContext } from "react";
import { EN } from "./en";
import { pickLocale, type Strings } from "./strings";

export const StringsContext = createContext<Strings>(EN);

export function useStrings(): Strings {
  return useContext(StringsContext);
}

export function browserLocale() {
  return pickLocale(typeof navigator === "undefined" ? [] : [...(navigator.languages ?? []), navigator.language]);
}
