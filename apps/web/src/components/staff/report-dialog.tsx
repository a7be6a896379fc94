import { type ChatClient, RequestError } from "@chatroom/client";
import { type FormEvent, useState } from "react";
import { useStaffDialogStrings } from "../../i18n/use-staff-dialog-strings";
import { useStrings } from "../../i18n/use-strings";
import { Modal } from "./modal";

/** Asks why a message is reported, sends the report, and says it went (or why not). Loaded on first use. */
export function ReportDialog({ client, target, onClose }: { client: ChatClient; target: number; onClose: () => void }) {
  const t = useStrings();
  const d = useStaffDialogStrings();
  const [reason, setReason] = useState("");
  const [state, setState] = useState<"editing" | "sending" | "sent" | { failed: string }>("editing");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return;
    setState("sending");
    client.report(target, reason.trim()).then(
      () => setState("sent"),
      (error: unknown) => setState({ failed: error instanceof RequestError ? error.code : "server_error" }),
    );
  };
  return (
    <Modal title={d.reportTitle} onClose={onClose} testId="report-dialog">
      {state === "sent" ? (
        <>
          <p role="status">{d.reportSent}</p>
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              {d.done}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <label htmlFor="report-reason">{d.reportReason}</label>
          <textarea id="report-reason" value={reason} rows={3} maxLength={2000} onChange={(event) => setReason(event.target.value)} />
          {typeof state === "object" && (
            <p className="field-error" role="alert">
              {d.requestFailed(state.failed)}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={onClose}>
              {t.cancel}
            </button>
            <button type="submit" disabled={!reason.trim() || state === "sending"}>
              {t.staff.report}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
