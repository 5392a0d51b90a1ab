import { useId, type InputHTMLAttributes } from 'react';

/** A labelled text input with an optional hint read out with it. */
export function Field({
  label,
  hint,
  ...input
}: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? hintId : undefined} {...input} />
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A field for the 6-digit code of an authenticator app (a space in the middle is allowed). */
export function TotpCodeField({
  value,
  onChange,
  ...field
}: { label: string; name: string; value: string; onChange: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange'
> & { hint?: string }) {
  return (
    <Field
      value={value}
      onChange={(e) => onChange(e.target.value)}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={7}
      required
      {...field}
    />
  );
}
