import type { HistoryEdge as Edge } from "@chatroom/client";
import { useStrings } from "../../i18n/use-strings";

/** The top of the log: a "load older" button while there is more, else why the log starts here. */
export function HistoryEdge({ edge, loadingOlder, onShowOlder }: { edge: Edge; loadingOlder: boolean; onShowOlder: () => void }) {
  const t = useStrings();
  return (
    <div className="history-edge">
      {loadingOlder ? (
        <span className="muted">{t.loadingOlder}</span>
      ) : edge === "more" ? (
        <button type="button" className="link-button" onClick={onShowOlder} data-testid="load-older">
          {t.loadOlder}
        </button>
      ) : (
        <span className="edge-marker" data-testid="history-edge" data-edge={edge}>
          {edge === "start" ? t.startOfHistory : edge === "cleared" ? t.clearedAbove : t.olderUnavailable}
        </span>
      )}
    </div>
  );
}
