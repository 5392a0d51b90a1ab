import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { Problem } from '../api-client';
import { ProblemMessage } from './problem-message';

/**
 * A modal question (the browser's own `<dialog>`: focus stays inside, Escape cancels), with
 * Cancel focused first so an Enter pressed in a hurry does not do the irreversible thing.
 */
export function ConfirmDialog({
  title,
  confirmLabel,
  children,
  problem,
  onConfirm,
  onCancel,
}: {
  title: string;
  confirmLabel: string;
  children: ReactNode;
  problem: Problem | undefined;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}) {
  const ids = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.showModal();
    cancel.current?.focus();
    return () => {
      element.close();
      opener?.focus();
    };
  }, []);

  async function confirm() {
    setBusy(true);
    await onConfirm();
    setBusy(false);
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${ids}-title`}
      aria-describedby={`${ids}-body`}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={`${ids}-title`}>{title}</h2>
      <div id={`${ids}-body`}>{children}</div>
      <ProblemMessage problem={problem} />
      <div className="actions">
        <button ref={cancel} type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button danger" onClick={confirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
