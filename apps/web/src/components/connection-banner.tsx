import { type ChatClient, type ConnectionState, OFFLINE_CODE } from "@chatroom/client";
import { useEffect, useState } from "react";
import { useStrings } from "../i18n/use-strings";

export function ConnectionBanner({ client, state }: { client: ChatClient; state: ConnectionState }) {
  const t = useStrings();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state.status !== "reconnecting") return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [state.status]);

  if (state.status === "reconnecting") {
    const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    return (
      <div className="banner" role="status">
        <span>{state.lastCode === OFFLINE_CODE ? t.offline : seconds > 0 ? t.reconnectingIn(seconds) : t.statusReconnecting}</span>
        <button type="button" className="link-button" onClick={() => client.retryNow()}>
          {t.retryNow}
        </button>
      </div>
    );
  }
  if (state.status === "closed" && state.reason === "outdated") {
    // The server speaks a newer protocol: retrying would be refused again; a reload loads the new page.
    return (
      <div className="banner banner-error" role="alert">
        <span>{t.closedOutdated}</span>
        <button type="button" className="link-button" onClick={() => window.location.reload()}>
          {t.reload}
        </button>
      </div>
    );
  }
  if (state.status === "closed" && state.reason !== "stopped") {
    return (
      <div className="banner banner-error" role="alert">
        <span>{state.reason === "replaced" ? t.closedReplaced : t.closedRejected}</span>
        <button type="button" className="link-button" onClick={() => client.retryNow()}>
          {t.retryNow}
        </button>
      </div>
    );
  }
  return null;
}
