import type { ReactNode } from 'react';

/** A checkbox for one of a fixed set of values: the value in code, and what it means beside it. */
export function CodeCheckbox({
  name,
  value,
  description,
  checked,
  onChange,
}: {
  name: string;
  value: string;
  description: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="choice">
      <input type="checkbox" name={name} value={value} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>
        <code>{value}</code> <span className="muted">{description}</span>
      </span>
    </label>
  );
}

/** `current` with `item` in (in the order of `all`) or out. */
export function toggled<T>(all: readonly T[], current: readonly T[], item: T, on: boolean): T[] {
  return on ? all.filter((v) => v === item || current.includes(v)) : current.filter((v) => v !== item);
}
