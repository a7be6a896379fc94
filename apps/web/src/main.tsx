import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { boot } from "./boot";
import { StringsContext } from "./i18n/use-strings";
import "./styles/index.css";

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");

// The page renders once the tab knows which participant it is (its identity slot): a few
// milliseconds, so the empty page before it is not worth a placeholder.
void boot().then(({ route, client, storage, strings }) => {
  createRoot(root).render(
    <StrictMode>
      <StringsContext.Provider value={strings}>
        <App route={route} client={client} storage={storage} />
      </StringsContext.Provider>
    </StrictMode>,
  );
});
