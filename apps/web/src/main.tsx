import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { boot } from "./boot";
import { StringsContext } from "./i18n/use-strings";
import "./styles/index.css";

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");
const { route, client, storage, strings } = boot();

createRoot(root).render(
  <StrictMode>
    <StringsContext.Provider value={strings}>
      <App route={route} client={client} storage={storage} />
    </StringsContext.Provider>
  </StrictMode>,
);
