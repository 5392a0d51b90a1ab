import { PASSWORD_MIN_LENGTH } from '@1security/contract';
import { useState } from 'react';
import { clientProblem, type Problem } from '../api-client';
import { Field } from './field';

/**
 * A new password typed twice: the values, the two fields (`fields(hint)`), and `mismatch()`,
 * the problem to show, before asking the API, when the two differ.
 */
export function useNewPassword(mismatchMessage: string) {
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  return {
    password,
    mismatch: (): Problem | undefined => (password === confirmation ? undefined : clientProblem(mismatchMessage)),
    fields: (hint: string, { autoFocus = false }: { autoFocus?: boolean } = {}) => (
      <>
        <Field
          label="New password"
          name="new-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. ${hint}`}
          required
          autoFocus={autoFocus}
        />
        <Field
          label="Confirm new password"
          name="confirm-password"
          type="password"
          value={confirmation}
          onChange={(e) => setConfirmation(e.target.value)}
          autoComplete="new-password"
          required
        />
      </>
    ),
  };
}

/** The password field of a form that asks for the one the user has now (sign-in, turning TOTP off). */
export function CurrentPasswordField({
  label = 'Password',
  name = 'password',
  value,
  onChange,
  hint,
}: {
  label?: string;
  name?: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
}) {
  return (
    <Field
      label={label}
      name={name}
      type="password"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      autoComplete="current-password"
      hint={hint}
      required
    />
  );
}
