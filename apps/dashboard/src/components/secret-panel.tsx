import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/**
 * A secret shown once: a copy button (falling back to selecting it for Ctrl+C), the warning
 * that it is never shown again, and a button that puts it away. Takes the focus when it opens.
 */
export function SecretPanel({
  title,
  warning,
  secret,
  children,
  onDone,
}: {
  title: string;
  warning: ReactNode;
  secret: string;
  children?: ReactNode;
  onDone: () => void;
}) {
  const ids = useId();
  const secretRef = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | undefined>();

  useEffect(() => heading.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard access (plain HTTP on a LAN address, or the permission refused): select it for Ctrl+C.
      const range = document.createRange();
      if (secretRef.current) range.selectNodeContents(secretRef.current);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
      setCopied('select');
    }
  }

  return (
    <section className="panel secret-panel" aria-labelledby={`${ids}-heading`}>
      <h3 id={`${ids}-heading`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <p className="warning">{warning}</p>
      <div className="secret-row">
        <code ref={secretRef} className="secret" id={`${ids}-secret`}>
          {secret}
        </code>
        <button type="button" className="button primary" onClick={copy} aria-describedby={`${ids}-secret`}>
          Copy secret
        </button>
      </div>
      <p role="status" className="copy-status">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'select' && 'The browser would not copy it: the secret is selected, press Ctrl+C (⌘C on a Mac).'}
      </p>
      {children}
      <div className="actions">
        <button type="button" className="button" onClick={onDone}>
          I have stored it — close
        </button>
      </div>
    </section>
  );
}
