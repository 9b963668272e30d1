/**
 * A rectification on the detail page: per field the subject asked about, what each system holds now
 * (read before review), an input per record prefilled with the value the subject says is right, and the
 * choice to correct it or refuse it with a reason the subject is told (11 CCR §7023(f)). The Approve
 * action sends what is chosen here (`rectificationChoice`); after approval the panel shows the choice
 * and, per system, what the corrections did (read back, nothing to correct, failed), then which recipients
 * were told of the correction (Art. 19). Inputs carry `data-draft`, so a redraw while the page polls keeps what staff typed.
 */
import type { Schemas } from '../../shared/api.ts';
import { h } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import { recipientsTold } from './art19-told.ts';
import type { Detail, DetailPage } from './detail-panel.ts';

type FieldValue = Schemas['FieldValue'];
type Address = Schemas['PostalAddress'];
type Field = FieldValue['field'];
type Correction = NonNullable<Schemas['ApproveAction']['rectification']>['corrections'][number];
type Refusal = NonNullable<Schemas['ApproveAction']['rectification']>['refusals'][number];

const FIELD_LABEL: Record<Field, string> = { name: 'Name', email: 'Email address', phone: 'Phone number', address: 'Postal address' };
const ADDRESS_PARTS: Array<[keyof Address, string]> = [['line1', 'Street'], ['line2', 'Line 2'], ['postalCode', 'Postcode'], ['city', 'City'], ['region', 'Region'], ['country', 'Country']];

const addressText = (a: Address): string => ADDRESS_PARTS.map(([p]) => a[p]).filter(Boolean).join(', ');
const valueText = (v: FieldValue['value']): string => (v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : addressText(v));

/** Draft names: stable per system, record and field, so a redraw puts the text back where it was. */
const draft = (...parts: string[]) => `rect-${parts.map((p) => encodeURIComponent(p)).join('-')}`;

/** What the subject asked for a field, as the value to prefill. */
function asked(detail: Detail, field: Field): FieldValue['value'] {
  const fields = (detail.request.subject.rectification?.fields ?? {}) as Record<string, FieldValue['value']>;
  return fields[field] ?? null;
}

type Row = { connectorId: string; system: string; value: FieldValue };

function rowsOf(detail: Detail): Map<Field, Row[]> {
  const out = new Map<Field, Row[]>();
  for (const s of detail.rectification?.systems ?? []) {
    for (const v of s.values) out.set(v.field, [...(out.get(v.field) ?? []), { connectorId: s.connectorId, system: s.displayName, value: v }]);
  }
  return out;
}

function valueInput(row: Row, prefill: FieldValue['value']): HTMLElement {
  const id = (part?: string) => draft('value', row.connectorId, row.value.object, row.value.recordId, row.value.field, ...(part ? [part] : []));
  if (row.value.field !== 'address') {
    const value = typeof prefill === 'string' ? prefill : typeof row.value.value === 'string' ? row.value.value : '';
    return h('input', { type: 'text', 'data-draft': id(), value, maxlength: 254, 'aria-label': `New ${FIELD_LABEL[row.value.field].toLowerCase()} in ${row.system}` });
  }
  const base = (prefill && typeof prefill === 'object' ? prefill : row.value.value && typeof row.value.value === 'object' ? row.value.value : {}) as Address;
  return h(
    'span',
    { class: 'address-inputs' },
    ...ADDRESS_PARTS.map(([part, label]) => h('input', { type: 'text', 'data-draft': id(part), 'data-part': part, value: base[part] ?? '', placeholder: label, 'aria-label': `${label} in ${row.system}` })),
  );
}

function fieldGroup(detail: Detail, field: Field, rows: Row[], canWrite: boolean): HTMLElement {
  const wanted = asked(detail, field);
  const decision = h(
    'select',
    { 'data-draft': draft('decision', field), 'data-field': field, disabled: !canWrite, 'aria-label': `${FIELD_LABEL[field]}: correct or refuse` },
    h('option', { value: 'correct' }, 'Correct it as below'),
    h('option', { value: 'refuse' }, 'Refuse the correction (reason required)'),
  );
  const reason = h('input', { type: 'text', 'data-draft': draft('reason', field), maxlength: 1000, placeholder: 'Why the data we hold is more likely accurate (the subject is told)', 'aria-label': `${FIELD_LABEL[field]}: reason for refusing`, disabled: !canWrite });
  return h(
    'div',
    { class: 'rectify-field', 'data-rectify-field': field },
    h('h3', {}, FIELD_LABEL[field]),
    wanted !== null ? h('p', {}, 'The subject says it should be: ', h('strong', {}, valueText(wanted))) : h('p', { class: 'hint' }, 'The subject did not give a value: see what they wrote.'),
    h('p', {}, decision, ' ', reason),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['System', 'Record', 'Now', 'Write'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            { 'data-connector': row.connectorId, 'data-record': row.value.recordId },
            h('th', { scope: 'row' }, row.system),
            h('td', {}, `${row.value.object} ${row.value.recordId} (${row.value.systemField})`),
            h('td', { class: 'current-value' }, valueText(row.value.value)),
            h('td', {}, canWrite ? valueInput(row, wanted) : '—'),
          ),
        ),
      ),
    ),
  );
}

function chosenSection(choice: NonNullable<NonNullable<Detail['rectification']>['choice']>, names: Record<string, string>): HTMLElement {
  return h(
    'div',
    { class: 'rectify-choice' },
    h('p', {}, `Chosen by ${choice.by}:`),
    h(
      'ul',
      {},
      ...choice.corrections.map((c) => h('li', { 'data-connector': c.connectorId }, `${names[c.connectorId] ?? c.connectorId}: ${FIELD_LABEL[c.field]} of ${c.object} ${c.recordId} → ${valueText(c.value)}`)),
      ...choice.refusals.map((r) => h('li', { class: 'refused' }, `Refused: ${FIELD_LABEL[r.field]} (${r.reason})`)),
    ),
  );
}

/** What each system did once the corrections ran: fields corrected (read back), nothing to correct, or not yet. */
function resultsSection(detail: Detail, zone: string): HTMLElement | null {
  const ran = detail.connectors.filter((c) => c.rectification || c.status === 'failed' || c.status === 'accepted_missing');
  if (!ran.length) return null;
  const line = (c: Detail['connectors'][number]): Array<Node | string> => {
    const r = c.rectification;
    if (!r) return [c.status === 'accepted_missing' ? 'Accepted as missing: not corrected' : 'Failed: see the connector above'];
    if (!r.applies) return ['Nothing to correct here'];
    const corrected = [...new Set(r.items.filter((i) => i.status === 'corrected').map((i) => FIELD_LABEL[i.field]))];
    const gone = r.items.filter((i) => i.status === 'not_found').length;
    if (!corrected.length) return [gone ? `Record gone (${gone}): nothing written` : 'Nothing chosen here'];
    return [`Corrected: ${corrected.join(', ')}`, ...(r.confirmedAt ? [', read back ', timeIn(r.confirmedAt, zone)] : []), gone ? `; ${gone} record${gone === 1 ? '' : 's'} gone` : ''];
  };
  return h(
    'table',
    { class: 'rectify-results' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'System'), h('th', { scope: 'col' }, 'Result'))),
    h('tbody', {}, ...ran.map((c) => h('tr', { 'data-connector': c.connectorId }, h('th', { scope: 'row' }, detail.connectorNames[c.connectorId] ?? c.connectorId), h('td', {}, ...line(c))))),
  );
}

export function rectificationPanel(page: DetailPage): HTMLElement | null {
  const { detail } = page;
  if (detail.request.type !== 'rectification' || !detail.rectification) return null;
  const rows = rowsOf(detail);
  const choosing = !detail.rectification.choice && detail.actions.includes('approve');
  const elsewhere = detail.rectification.systems.filter((s) => !s.values.length).map((s) => `${s.displayName}${s.status === 'failed' ? ' (could not be read)' : ''}`);
  return h(
    'section',
    { 'aria-labelledby': 'sec-rectification', class: 'rectification-panel' },
    h('h2', { id: 'sec-rectification' }, 'Correction: what each system holds'),
    detail.rectification.choice
      ? chosenSection(detail.rectification.choice, detail.connectorNames)
      : h('p', { class: 'hint' }, 'Choose per field: correct it (edit the value to write per record) or refuse it with a reason. Approve sends this choice.'),
    resultsSection(detail, page.zone),
    // Art. 19, once the close passed the correction on (functions/domain/rectification/recipients.ts).
    detail.request.art19?.rectification
      ? h('p', { class: 'rectify-recipients' }, `Recipients (Art. 19): ${recipientsTold(detail.request.art19.rectification, 'by the correction in its own system')}`)
      : null,
    ...(detail.rectification.choice ? [] : [...rows.entries()].map(([field, list]) => fieldGroup(detail, field, list, page.canWrite && choosing))),
    elsewhere.length && !detail.rectification.choice ? h('p', { class: 'nothing-to-correct' }, `Nothing to correct here: ${elsewhere.join(', ')}.`) : null,
  );
}

/**
 * The approve body's `rectification` from what staff chose on the page, or the problem to show. A record
 * whose value is left as it is now is not sent: there is nothing to write.
 */
export function rectificationChoice(root: HTMLElement, detail: Detail): { corrections: Correction[]; refusals: Refusal[] } | { problem: string } {
  const corrections: Correction[] = [];
  const refusals: Refusal[] = [];
  for (const [field, rows] of rowsOf(detail)) {
    const decision = root.querySelector<HTMLSelectElement>(`select[data-draft="${draft('decision', field)}"]`)?.value ?? 'correct';
    if (decision === 'refuse') {
      const reason = root.querySelector<HTMLInputElement>(`input[data-draft="${draft('reason', field)}"]`)?.value.trim() ?? '';
      if (!reason) return { problem: `Say why the ${FIELD_LABEL[field].toLowerCase()} correction is refused: the subject is told.` };
      refusals.push({ field, reason });
      continue;
    }
    for (const row of rows) {
      const id = draft('value', row.connectorId, row.value.object, row.value.recordId, field);
      let value: Correction['value'];
      if (field === 'address') {
        const parts = Object.fromEntries(
          [...root.querySelectorAll<HTMLInputElement>(`input[data-draft^="${id}-"]`)].map((i) => [i.dataset.part!, i.value.trim()]).filter(([, v]) => v),
        ) as Address;
        if (!Object.keys(parts).length || addressText(parts) === valueText(row.value.value)) continue;
        value = parts;
      } else {
        const text = root.querySelector<HTMLInputElement>(`input[data-draft="${id}"]`)?.value.trim() ?? '';
        if (!text || text === row.value.value) continue;
        value = text;
      }
      corrections.push({ connectorId: row.connectorId, object: row.value.object, recordId: row.value.recordId, field, value });
    }
  }
  return { corrections, refusals };
}
