/**
 * Metrics: requests per month by type, and the share answered on time, as SVG charts built with DOM
 * calls (no chart library; the CSP allows no inline styles, SVG presentation attributes are fine), each
 * with a table that says the same for screen readers. Built against GET /v1/admin/metrics?year=; when
 * that endpoint does not exist yet, the page says so.
 */
import { ApiError, type Answer } from '../../shared/api.ts';
import { field, h, message, render, svg } from '../../shared/dom.ts';
import { SHORT_TYPE } from '../../shared/labels.ts';
import type { ConsoleContext } from '../context.ts';

type YearMetrics = Answer<'getMetrics'>;

const TYPE_CLASS: Record<string, string> = { access: 'series-a', erasure: 'series-b', portability: 'series-c' };

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
  body.replaceChildren(
    metrics.months?.length ? monthlyChart(metrics) : receivedChart(metrics),
    onTimeChart(metrics),
    h(
      'table',
      {},
      h('caption', {}, `Requests in ${metrics.year} by type`),
      h('thead', {}, h('tr', {}, ...['Type', 'Received', 'Answered', 'On time', 'Share on time'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...metrics.types.map((t) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, SHORT_TYPE[t.type] ?? t.type),
            h('td', {}, String(t.received)),
            h('td', {}, String(t.answered)),
            h('td', {}, String(t.answeredOnTime)),
            h('td', {}, percent(t.shareAnsweredOnTime)),
          ),
        ),
      ),
    ),
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
    m.types.map((t) => ({ name: SHORT_TYPE[t.type] ?? t.type, fraction: t.shareAnsweredOnTime ?? 0, text: percent(t.shareAnsweredOnTime), cls: TYPE_CLASS[t.type] ?? 'series-a' })),
    'Share of answered requests that were answered by their due date.',
  )
}

function legend(types: string[]): HTMLElement {
  return h('span', { class: 'legend' }, ...types.map((t) => h('span', { class: `key ${TYPE_CLASS[t] ?? 'series-a'}` }, SHORT_TYPE[t] ?? t)));
}
