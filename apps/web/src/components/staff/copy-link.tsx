import { useState } from "react";
import { useStaffDialogStrings } from "../../i18n/use-staff-dialog-strings";
import { useStrings } from "../../i18n/use-strings";

/** A link shown once (an owner link, an invite), in a read-only field with a copy button. */
export function CopyLink({ url, label, testId }: { url: string; label: string; testId: string }) {
  const _t = useStrings();
  const d = useStaffDialogStrings();
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-link">
      <input aria-label={label} readOnly value={url} data-testid={testId} onFocus={(event) => event.currentTarget.select()} />
      <button
        type="button"
        className="small-button"
        onClick={() => {
          void navigator.clipboard?.writeText(url).then(() => setCopied(true));
        }}
      >
        {copied ? d.copied : d.copy}
      </button>
    </div>
  );
}
