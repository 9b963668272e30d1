/**
 * The days-left signal staff scan the queue by. Thresholds follow what privacy teams already know from
 * other tools: green with 10 or more days left, amber 5 to 9, red under 5, and overdue once the due
 * date has passed.
 */
export type BadgeTone = 'green' | 'amber' | 'red' | 'overdue';

export interface DaysLeftBadge {
  tone: BadgeTone;
  /** Short visible text. */
  text: string;
  /** Full sentence for assistive technology and tooltips (colour alone never carries the meaning). */
  label: string;
}

export function daysLeftBadge(daysLeft: number): DaysLeftBadge {
  if (daysLeft < 0) {
    const late = -daysLeft;
    return { tone: 'overdue', text: `${late}d overdue`, label: `Overdue by ${late} day${late === 1 ? '' : 's'}` };
  }
  const tone: BadgeTone = daysLeft >= 10 ? 'green' : daysLeft >= 5 ? 'amber' : 'red';
  if (daysLeft === 0) return { tone, text: 'due today', label: 'Due today' };
  return { tone, text: `${daysLeft}d left`, label: `${daysLeft} day${daysLeft === 1 ? '' : 's'} left` };
}
