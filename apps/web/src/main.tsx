import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { STRINGS } from "./i18n/strings";
import { browserLocale, StringsContext } from "./i18n/use-strings";
import "./styles.css";

const locale = browserLocale();
document.documentElement.lang = locale;
const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");

createRoot(root).render(
  <StrictMode>
    <StringsContext.Provider value={STRINGS[locale]}>
      <App />
    </StringsContext.Provider>
  </StrictMode>,
);
