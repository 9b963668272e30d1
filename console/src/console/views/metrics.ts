/**
 * Metrics: every figure GET /v1/admin/metrics?year= returns, per type, as a table (received, duplicates,
 * complied with in whole or in part, denied by reason, cancelled, open and open past due, answered, median
 * and mean days, answered on time and the share on time), the outcomes per type and the requests per month
 * as SVG charts built with DOM calls (no chart library; the CSP allows no inline styles, SVG presentation
 * attributes are fine), each chart with a table that says the same for screen readers, and the API's CSV
 * as downloads. Requests open past their due date are named above the charts: they count against the share
 * on time, and the page once said "100% on time" while one was overdue because it showed only the
 * answered ones. When the endpoint does not exist yet, the page says so.
 */
import { ApiError, type Answer } from '../../shared/api.ts';
import { field, h, message, render, svg } from '../../shared/dom.ts';
import { DENIAL_REASON_LABEL, SHORT_TYPE } from '../../shared/labels.ts';
import type { ConsoleContext } from '../context.ts';

type YearMetrics = Answer<'getMetrics'>;
type TypeMetrics = YearMetrics['types'][number];

const TYPE_CLASS: Record<string, string> = { access: 'series-a', erasure: 'series-b', portability: 'series-c', marketing_opt_out: 'series-d', rectification: 'series-e', restriction: 'series-f' };

/** The denial reasons the API reports besides staff's own: a request closed because it was never verified. */
const METRIC_REASON_LABEL: Record<string, string> = { ...DENIAL_REASON_LABEL, unverified: 'Never verified' };

export async function metricsView(ctx: ConsoleContext, container: HTMLElement, params: URLSearchParams): Promise<void> {
  const thisYear = new Date().getUTCFullYear();
  const year = Number(params.get('year') ?? thisYear);
  const yearSelect = h('select', { name: 'year' });
  for (let y = thisYear; y >= thisYear - 3; y--) yearSelect.append(h('option', { value: String(y), selected: y === year }, String(y)));
  const form = h('form', { class: 'filters' }, field('Year', yearSelect), h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/console/metrics?year=${yearSelect.value}`);
  });
  const body = h('div', { 'aria-live': 'polite' }, message('info', 'Loading…'));
  render(container, h('h1', {}, `Metrics ${year}`), form, body);

  let metrics: YearMetrics;
  try {
    metrics = await ctx.api.call<YearMetrics>('GET', `/v1/admin/metrics?year=${year}`, { token: ctx.session.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    if (err instanceof ApiError && err.unavailable) {
      ctx.unavailable.add('metrics');
      body.replaceChildren(message('info', 'Metrics are not available on this API version yet.'));
      return;
    }
    body.replaceChildren(message('error', (err as Error).message));
    return;
  }
  const overdue = metrics.types.reduce((n, t) => n + t.openOverdue, 0);
  const status = h('div', { 'aria-live': 'polite' });
  body.replaceChildren(
    ...(overdue
      ? [h('p', { class: 'message error overdue-notice', role: 'status' }, `${overdue} open request${overdue === 1 ? ' is' : 's are'} past the due date (${metrics.types.filter((t) => t.openOverdue).map((t) => `${SHORT_TYPE[t.type] ?? t.type} ${t.openOverdue}`).join(', ')}); they count as late in the share on time.`)]
      : []),
    h('div', { class: 'actions' }, csvButton(ctx, metrics.year, 'type', 'Download CSV (per type)', status), csvButton(ctx, metrics.year, 'month', 'Download CSV (per month)', status), status),
    figuresTable(metrics),
    outcomesChart(metrics),
    metrics.months?.length ? monthlyChart(metrics) : receivedChart(metrics),
    onTimeChart(metrics),
  );
}

/**
 * A button that downloads the API's CSV: a link cannot carry the bearer token, so the page fetches the
 * file and hands it to the browser as a download (a blob URL, revoked once clicked).
 */
function csvButton(ctx: ConsoleContext, year: number, by: 'type' | 'month', label: string, status: HTMLElement): HTMLElement {
  const button = h('button', { type: 'button', 'data-csv': by }, label);
  button.addEventListener('click', async () => {
    status.replaceChildren();
    try {
      const res = await fetch(ctx.api.url(`/v1/admin/metrics?year=${year}&format=csv${by === 'month' ? '&by=month' : ''}`), {
        headers: { accept: 'text/csv', authorization: `Bearer ${ctx.session.token}` },
        cache: 'no-store',
      });
      if (res.status === 401) return ctx.signedOut();
      if (!res.ok) throw new Error(`The server answered ${res.status}.`);
      const url = URL.createObjectURL(await res.blob());
      const link = h('a', { href: url, download: `dsar-metrics-${year}${by === 'month' ? '-monthly' : ''}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (err) {
      status.replaceChildren(message('error', `The CSV could not be downloaded: ${(err as Error).message}`));
    }
  });
  return button;
}

const days = (n: number | null) => (n === null ? '—' : String(n));

/** Every figure per type: one row per figure, one column per type, as the CSV has them per type. */
function figuresTable(m: YearMetrics): HTMLElement {
  const reasons = [...new Set(m.types.flatMap((t) => Object.keys(t.deniedByReason)))];
  const rows: Array<[string, (t: TypeMetrics) => string, string?]> = [
    ['Received (duplicates excluded)', (t) => String(t.received)],
    ['Duplicates of an open request', (t) => String(t.duplicates)],
    ['Complied with in whole', (t) => String(t.compliedInWhole)],
    ['Complied with in part', (t) => String(t.compliedInPart)],
    ['Denied', (t) => String(t.denied)],
    ...reasons.map((r): [string, (t: TypeMetrics) => string, string] => [`Denied: ${METRIC_REASON_LABEL[r] ?? r}`, (t) => String(t.deniedByReason[r] ?? 0), 'sub']),
    ['Cancelled', (t) => String(t.cancelled)],
    ['Forwarded to the controller (resale partner)', (t) => String(t.forwarded ?? 0)],
    ['Open', (t) => String(t.open)],
    ['Open past the due date', (t) => String(t.openOverdue), 'overdue'],
    ['Answered', (t) => String(t.answered)],
    ['Median days to respond', (t) => days(t.medianDaysToRespond)],
    ['Mean days to respond', (t) => days(t.meanDaysToRespond)],
    ['Answered on time', (t) => String(t.answeredOnTime)],
    ['Share on time (late: answered late or open past due)', (t) => percent(t.shareAnsweredOnTime)],
  ];
  return h(
    'table',
    { class: 'figures' },
    h('caption', {}, `Requests in ${m.year} by type: every figure`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Figure'), ...m.types.map((t) => h('th', { scope: 'col' }, SHORT_TYPE[t.type] ?? t.type)))),
    h(
      'tbody',
      {},
      ...rows.map(([label, value, kind]) =>
        h('tr', { 'data-figure': label, class: kind ?? null }, h('th', { scope: 'row' }, label), ...m.types.map((t) => h('td', { 'data-type': t.type }, value(t)))),
      ),
    ),
  );
}

const OUTCOMES: Array<{ key: string; label: string; cls: string; value: (t: TypeMetrics) => number }> = [
  { key: 'whole', label: 'Complied in whole', cls: 'outcome-whole', value: (t) => t.compliedInWhole },
  { key: 'part', label: 'Complied in part', cls: 'outcome-part', value: (t) => t.compliedInPart },
  { key: 'denied', label: 'Denied', cls: 'outcome-denied', value: (t) => t.denied },
  { key: 'cancelled', label: 'Cancelled', cls: 'outcome-cancelled', value: (t) => t.cancelled },
  { key: 'forwarded', label: 'Forwarded to the controller', cls: 'outcome-forwarded', value: (t) => t.forwarded ?? 0 },
  { key: 'open', label: 'Open, not yet due', cls: 'outcome-open', value: (t) => t.open - t.openOverdue },
  { key: 'overdue', label: 'Open past due', cls: 'outcome-overdue', value: (t) => t.openOverdue },
];

/** One horizontal stacked bar per type: how the year's requests ended, or that they are open (and late). */
function outcomesChart(m: YearMetrics): HTMLElement {
  const width = 640;
  const row = 34;
  const left = 110;
  const max = Math.max(1, ...m.types.map((t) => OUTCOMES.reduce((n, o) => n + o.value(t), 0)));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${row * m.types.length + 10}`, role: 'img', 'aria-label': `Outcomes of the requests received in ${m.year}, by type`, class: 'chart outcomes' });
  m.types.forEach((t, i) => {
    let x = left;
    chart.append(svg('text', { x: 0, y: i * row + 22, class: 'axis' }, SHORT_TYPE[t.type] ?? t.type));
    for (const o of OUTCOMES) {
      const n = o.value(t);
      if (!n) continue;
      const w = ((width - left - 20) * n) / max;
      chart.append(svg('rect', { x, y: i * row + 6, width: w, height: 22, class: o.cls, 'data-outcome': o.key, 'data-type': t.type }, svg('title', {}, `${SHORT_TYPE[t.type] ?? t.type}: ${o.label} ${n}`)));
      x += w;
    }
  });
  return h(
    'figure',
    {},
    chart,
    h('figcaption', {}, h('span', { class: 'legend' }, ...OUTCOMES.map((o) => h('span', { class: `key ${o.cls}` }, o.label))), ' How the year\u2019s requests ended, per type.'),
  );
}

function percent(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}%`;
}

/** Stacked bars: one per month, one colour per type. */
function monthlyChart(m: YearMetrics): HTMLElement {
  const months = m.months!;
  const types = m.types.map((t) => t.type);
  const totals = months.map((mo) => types.reduce((sum, t) => sum + (mo.received[t] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const width = 640;
  const height = 220;
  const bar = (width - 40) / months.length;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 30}`, role: 'img', 'aria-label': `Requests per month in ${m.year}, by type`, class: 'chart' });
  months.forEach((mo, i) => {
    let y = height;
    for (const t of types) {
      const n = mo.received[t] ?? 0;
      if (!n) continue;
      const barHeight = (n / max) * (height - 10);
      y -= barHeight;
      chart.append(svg('rect', { x: 40 + i * bar + 4, y, width: bar - 8, height: barHeight, class: TYPE_CLASS[t] ?? 'series-a' }, svg('title', {}, `${mo.month} ${t}: ${n}`)));
    }
    chart.append(svg('text', { x: 40 + i * bar + bar / 2, y: height + 18, 'text-anchor': 'middle', class: 'axis' }, mo.month.slice(5)));
  });
  chart.append(svg('text', { x: 0, y: 12, class: 'axis' }, String(max)));
  return h(
    'figure',
    {},
    chart,
    h('figcaption', {}, legend(types), ' Requests received per month.'),
    monthlyTable(m, types, totals),
  );
}

/** The monthly chart's figures as a table: what a screen reader reads instead of the bars. */
function monthlyTable(m: YearMetrics, types: string[], totals: number[]): HTMLElement {
  return h(
    'table',
    { class: 'chart-data' },
    h('caption', {}, `Requests received per month in ${m.year}, by type`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Month'), ...types.map((t) => h('th', { scope: 'col' }, SHORT_TYPE[t] ?? t)), h('th', { scope: 'col' }, 'Total'))),
    h(
      'tbody',
      {},
      ...m.months!.map((mo, i) =>
        h('tr', {}, h('th', { scope: 'row' }, mo.month), ...types.map((t) => h('td', {}, String(mo.received[t] ?? 0))), h('td', {}, String(totals[i] ?? 0))),
      ),
    ),
  );
}

/** Horizontal bars, one per row: a label, a value from 0 to 1 of the width, and the text at its end. */
function hbars(label: string, rows: Array<{ name: string; fraction: number; text: string; cls: string }>, caption: string): HTMLElement {
  const width = 640;
  const row = 34;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${row * rows.length + 10}`, role: 'img', 'aria-label': label, class: 'chart' });
  rows.forEach((r, i) => {
    const w = (width - 180) * r.fraction;
    chart.append(
      svg('text', { x: 0, y: i * row + 22, class: 'axis' }, r.name),
      svg('rect', { x: 110, y: i * row + 6, width: w, height: 22, class: r.cls }),
      svg('text', { x: 110 + w + 6, y: i * row + 22, class: 'axis' }, r.text),
    );
  });
  return h('figure', {}, chart, h('figcaption', {}, caption));
}

/** Requests received in the year per type: shown when the API reports no monthly figures. */
function receivedChart(m: YearMetrics): HTMLElement {
  const max = Math.max(1, ...m.types.map((t) => t.received));
  return hbars(
    `Requests received in ${m.year}, by type`,
    m.types.map((t) => ({ name: SHORT_TYPE[t.type] ?? t.type, fraction: t.received / max, text: String(t.received), cls: TYPE_CLASS[t.type] ?? 'series-a' })),
    `Requests received in ${m.year} (this API reports no monthly figures).`,
  );
}

/** Share answered on time per type. */
function onTimeChart(m: YearMetrics): HTMLElement {
  return hbars(
    'Share of requests answered on time, by type',
    m.types.map((t) => ({
      name: SHORT_TYPE[t.type] ?? t.type,
      fraction: t.shareAnsweredOnTime ?? 0,
      text: `${percent(t.shareAnsweredOnTime)}${t.openOverdue ? ` (${t.openOverdue} open past due)` : ''}`,
      cls: TYPE_CLASS[t.type] ?? 'series-a',
    })),
    'Share of requests answered by their due date, of those answered and those still open past it (late already).',
  )
}

function legend(types: string[]): HTMLElement {
  return h('span', { class: 'legend' }, ...types.map((t) => h('span', { class: `key ${TYPE_CLASS[t] ?? 'series-a'}` }, SHORT_TYPE[t] ?? t)));
}
