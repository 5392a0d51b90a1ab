const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A timestamp from the API as a date and a time, in the reader's locale and time zone. */
export function dateAndTime(iso: string): { date: string; time: string } {
  const moment = new Date(iso);
  return { date: dateOnly.format(moment), time: timeOnly.format(moment) };
}
