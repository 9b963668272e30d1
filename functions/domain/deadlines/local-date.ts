/** The calendar date of an instant in a time zone, as `YYYY-MM-DD`: deadlines are dates in the controller's zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function dateIn(timeZone: string, at: Date): string {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(at);
}
