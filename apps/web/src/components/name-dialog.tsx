import { type NameProblem, normalizeName } from "@chatroom/protocol";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useStrings } from "../i18n/use-strings";

interface Props {
  mode: "join" | "rename";
  initial: string;
  onSubmit: (name: string) => void;
  onCancel: (() => void) | undefined;
  /** Why `initial` cannot be used as it is (a bad `?name=` in a link), shown from the start. */
  initialProblem?: NameProblem | undefined;
}

export function NameDialog({ mode, initial, onSubmit, onCancel, initialProblem }: Props) {
  const t = useStrings();
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(initialProblem ? t.nameProblem(initialProblem) : null);
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    // showModal puts the caret after a prefilled name (the last one used, the current one), so
    // typing would append to it: select it instead, and typing replaces it.
    input.current?.select();
    return () => element?.close();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = normalizeName(value);
    if (!checked.ok) {
      setError(t.nameProblem(checked.problem));
      return;
    }
    onSubmit(checked.name);
  };

  return (
    <dialog
      ref={dialog}
      className="name-dialog"
      aria-labelledby="name-dialog-title"
      onCancel={(event) => {
        if (!onCancel) event.preventDefault();
        else onCancel();
      }}
    >
      <form onSubmit={submit}>
        <h2 id="name-dialog-title">{mode === "join" ? t.nameDialogTitle : t.changeName}</h2>
        <label htmlFor="name-input">{t.nameLabel}</label>
        <input
          id="name-input"
          ref={input}
          value={value}
          maxLength={256}
          autoComplete="nickname"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "name-error name-hint" : "name-hint"}
          onChange={(event) => {
            setValue(event.target.value);
            setError(null);
          }}
        />
        <p id="name-hint" className="hint">
          {t.nameHint}
        </p>
        {error && (
          <p id="name-error" className="field-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          {onCancel && (
            <button type="button" className="secondary" onClick={onCancel}>
              {t.cancel}
            </button>
          )}
          <button type="submit">{mode === "join" ? t.join : t.rename}</button>
        </div>
      </form>
    </dialog>
  );
}
