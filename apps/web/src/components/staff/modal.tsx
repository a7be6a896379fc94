import { type ReactNode, useEffect, useRef } from "react";

/**
 * A modal dialog on the platform's <dialog>: showModal traps focus and makes the page behind it
 * inert; Escape closes it; the element that opened it gets focus back when it closes.
 */
export function Modal({ title, onClose, children, testId }: { title: string; onClose: () => void; children: ReactNode; testId?: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = `modal-${title.replace(/[^A-Za-z0-9]/g, "").slice(0, 24) || "title"}`;
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => {
      element?.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      className="name-dialog staff-dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
