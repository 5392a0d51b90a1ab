import type { ReactNode } from 'react';
import { When } from './when';

/**
 * A table of records (keys, endpoints, delivery attempts) with a caption for screen readers;
 * on a phone each row becomes a card whose cells carry their column's name (`data-label`).
 * `actions` adds a last, unnamed-on-screen column for each row's buttons.
 */
export function RecordsTable({
  caption,
  columns,
  actions = false,
  className,
  children,
}: {
  caption: string;
  columns: string[];
  actions?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className ? `records ${className}` : 'records'}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** One cell of a {@link RecordsTable} row, labelled with its column for the phone layout. */
export function Cell({ label, children }: { label: string; children: ReactNode }) {
  return (
    <td data-label={label}>
      <div className="cell">{children}</div>
    </td>
  );
}

/** The cell of a row's buttons. */
export function ActionsCell({ children }: { children: ReactNode }) {
  return (
    <td data-label="Actions" className="row-actions">
      {children}
    </td>
  );
}

/** When a record was created, and by whom (a user's email, or the operator CLI). */
export function CreatedBy({ iso, by }: { iso: string; by: string }) {
  return (
    <>
      <When iso={iso} />
      <span className="sub">by {by === 'cli' ? 'the operator CLI' : by}</span>
    </>
  );
}
