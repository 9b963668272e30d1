/**
 * Yearly request metrics (11 CCR §7102): per request type, how many were received, complied with in
 * whole or in part, denied (by reason), how many days answering took (median and mean), and the share
 * answered on time.
 *
 * The year's requests are read from the metrics ledger (metrics/ledger.ts): one ~100-byte fact per
 * request, kept by the one place status and due dates are written, so a report reads a twentieth of the
 * bytes it read from the request items, never a Scan.
 *
 * The share answered on time counts an open request already past its due date as late: it can no
 * longer be answered on time, and leaving it out showed "100% on time" while one was overdue.
 */
import { stringify } from 'csv-stringify/sync';
import { REQUEST_TYPES, type DsarConfig, type RequestType } from '#commons/config';
import { daysBetween } from '../deadlines/calendar.ts';
import type { AppContext } from '../context.ts';
import { DENIAL_REASONS } from '../requests/model.ts';
import { tableAccess, type TableAccess } from '../requests/table.ts';
import { dateIn } from '../deadlines/local-date.ts';
import { requestTimeZone } from '../deadlines/request-zone.ts';
import { readLedger, type LedgerRow } from './ledger.ts';

/** Denial reasons reported: staff's reasons, and a request closed because the identity was never verified. */
export const METRIC_DENIAL_REASONS = [...Object.keys(DENIAL_REASONS), 'unverified'] as const;

export interface TypeMetrics {
  type: RequestType;
  /** Requests received in the year, duplicates of an open request excluded (they are answered by it). */
  received: number;
  duplicates: number;
  compliedInWhole: number;
  compliedInPart: number;
  denied: number;
  deniedByReason: Record<string, number>;
  cancelled: number;
  /**
   * Processor mode: requests of a resale partner's end users, forwarded to the partner (the controller)
   * to answer. Neither complied with nor denied by us, so counted apart and not in the days to respond.
   */
  forwarded: number;
  /** Still open at the time of the report, and of those, past their due date. */
  open: number;
  openOverdue: number;
  /** Over requests answered (complied with or denied): calendar days from receipt to the answer. */
  answered: number;
  medianDaysToRespond: number | null;
  meanDaysToRespond: number | null;
  /** Answered on or before the due date in force (an extension counts). */
  answeredOnTime: number;
  /** answeredOnTime over the requests answered plus those open past their due date (late already). */
  shareAnsweredOnTime: number | null;
}

/** One calendar month of the year, by the request's receipt date in its controller's zone. */
export interface MonthMetrics {
  /** YYYY-MM */
  month: string;
  /** Requests received in the month per type, duplicates excluded (as `TypeMetrics.received`). */
  received: Record<RequestType, number>;
  /** Of the month's requests answered so far or open past their due date, the share answered by their due date (0..1); null when there is none. */
  answeredOnTime: Record<RequestType, number | null>;
}

export interface YearMetrics {
  year: number;
  generatedAt: string;
  types: TypeMetrics[];
  /** The twelve months of the year, January first. */
  months: MonthMetrics[];
}

type Row = LedgerRow;

/** The year's requests, from the ledger. */
export async function readYear(year: number, access: TableAccess): Promise<Row[]> {
  return (await readLedger(year, access)).rows;
}

function median(sorted: number[]): number | null {
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number | null, digits: number) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

const byType = <T>(value: () => T) => Object.fromEntries(REQUEST_TYPES.map((t) => [t, value()])) as Record<RequestType, T>;

/** Pure: the figures for `rows` (already the year's requests) as of `now`. */
export function computeMetrics(config: DsarConfig, year: number, rows: Row[], now: Date): YearMetrics {
  const monthKeys = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
  const perMonth = new Map(monthKeys.map((month) => [month, { received: byType(() => 0), answered: byType(() => 0), onTime: byType(() => 0) }]));
  const types = REQUEST_TYPES.map((type) => {
    const m: TypeMetrics = {
      type,
      received: 0,
      duplicates: 0,
      compliedInWhole: 0,
      compliedInPart: 0,
      denied: 0,
      deniedByReason: Object.fromEntries(METRIC_DENIAL_REASONS.map((r) => [r, 0])),
      cancelled: 0,
      forwarded: 0,
      open: 0,
      openOverdue: 0,
      answered: 0,
      medianDaysToRespond: null,
      meanDaysToRespond: null,
      answeredOnTime: 0,
      shareAnsweredOnTime: null,
    };
    const days: number[] = [];
    for (const r of rows) {
      if (r.type !== type) continue;
      if (r.status === 'duplicate') {
        m.duplicates++;
        continue;
      }
      m.received++;
      const month = perMonth.get(r.receivedDate.slice(0, 7));
      if (month) month.received[type]++;
      const zone = requestTimeZone(config, r);
      let answered = false;
      switch (r.status) {
        case 'completed':
          m.compliedInWhole++;
          answered = true;
          break;
        case 'completed_partial':
          m.compliedInPart++;
          answered = true;
          break;
        case 'denied': {
          m.denied++;
          const reason = r.reason && r.reason in m.deniedByReason ? r.reason : 'other';
          m.deniedByReason[reason]!++;
          answered = true;
          break;
        }
        case 'unverified_closed':
          // CCPA counts a request that cannot be verified as denied.
          m.denied++;
          m.deniedByReason.unverified!++;
          answered = true;
          break;
        case 'cancelled':
          m.cancelled++;
          break;
        case 'forwarded':
          m.forwarded++;
          break;
        case 'restricted':
          // A restriction in force: complied with when every system confirmed it, lifted later.
          m.compliedInWhole++;
          answered = true;
          break;
        default:
          m.open++;
          if (dateIn(zone, now) > r.dueDate) {
            m.openOverdue++;
            // Late already, whenever it is answered: it counts against the on-time share.
            if (month) month.answered[type]++;
          }
      }
      // The answer's date: when it was given, for a request that stayed open after it (a restriction).
      const answeredAt = r.answeredAt ?? r.closedAt;
      if (answered && answeredAt) {
        const closedDate = dateIn(zone, new Date(answeredAt));
        days.push(daysBetween(r.receivedDate, closedDate));
        const onTime = closedDate <= r.dueDate;
        if (onTime) m.answeredOnTime++;
        if (month) {
          month.answered[type]++;
          if (onTime) month.onTime[type]++;
        }
      }
    }
    days.sort((a, b) => a - b);
    m.answered = days.length;
    m.medianDaysToRespond = median(days);
    m.meanDaysToRespond = days.length ? round(days.reduce((s, d) => s + d, 0) / days.length, 2) : null;
    const settled = days.length + m.openOverdue;
    m.shareAnsweredOnTime = settled ? round(m.answeredOnTime / settled, 4) : null;
    return m;
  });
  const months = monthKeys.map((month): MonthMetrics => {
    const m = perMonth.get(month)!;
    return {
      month,
      received: m.received,
      answeredOnTime: Object.fromEntries(REQUEST_TYPES.map((t) => [t, m.answered[t] ? round(m.onTime[t] / m.answered[t], 4) : null])) as Record<RequestType, number | null>,
    };
  });
  return { year, generatedAt: now.toISOString(), types, months };
}

export async function yearMetrics(ctx: AppContext, year: number, access: TableAccess = tableAccess()): Promise<YearMetrics> {
  return computeMetrics(ctx.config, year, await readYear(year, access), ctx.clock.now());
}

/** One row per request type, one column per figure; denial reasons as `denied_<reason>` columns. */
export function metricsCsv(metrics: YearMetrics): string {
  const header = [
    'year',
    'type',
    'received',
    'complied_in_whole',
    'complied_in_part',
    'denied',
    ...METRIC_DENIAL_REASONS.map((r) => `denied_${r}`),
    'cancelled',
    'forwarded_to_controller',
    'open',
    'open_overdue',
    'answered',
    'median_days_to_respond',
    'mean_days_to_respond',
    'answered_on_time',
    'share_answered_on_time',
    'duplicates',
  ];
  const rows = metrics.types.map((m) => [
    metrics.year,
    m.type,
    m.received,
    m.compliedInWhole,
    m.compliedInPart,
    m.denied,
    ...METRIC_DENIAL_REASONS.map((r) => m.deniedByReason[r] ?? 0),
    m.cancelled,
    m.forwarded,
    m.open,
    m.openOverdue,
    m.answered,
    m.medianDaysToRespond ?? '',
    m.meanDaysToRespond ?? '',
    m.answeredOnTime,
    m.shareAnsweredOnTime ?? '',
    m.duplicates,
  ]);
  return stringify([header, ...rows]);
}

/** One row per month: requests received per type, then the share answered on time per type (empty when none was answered). */
export function monthsCsv(metrics: YearMetrics): string {
  const header = ['month', ...REQUEST_TYPES.map((t) => `received_${t}`), ...REQUEST_TYPES.map((t) => `share_answered_on_time_${t}`)];
  const rows = metrics.months.map((m) => [m.month, ...REQUEST_TYPES.map((t) => m.received[t]), ...REQUEST_TYPES.map((t) => m.answeredOnTime[t] ?? '')]);
  return stringify([header, ...rows]);
}
