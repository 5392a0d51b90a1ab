import { dateAndTime } from '../date-format';

/** A timestamp from the API in the reader's locale; the date and the time each stay whole. */
export function When({ iso, dateOnly = false }: { iso: string; dateOnly?: boolean }) {
  const { date, time } = dateAndTime(iso);
  // A narrow column wraps between the date and the time, never inside either.
  return (
    <time dateTime={iso} title={iso}>
      <span className="nowrap">{date}</span>
      {!dateOnly && (
        <>
          {' '}
          <span className="nowrap">{time}</span>
        </>
      )}
    </time>
  );
}
