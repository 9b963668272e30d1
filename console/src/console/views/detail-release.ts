/**
 * The release panel of a request whose package waits for staff (status `awaiting_release`): what the
 * package holds per system and object, a paged preview of an object's records, withholding an object, a
 * record or a field with a reason the subject will read (GDPR Art. 15(4)), the list of what is withheld,
 * and the release. Shown only when the API offers `release` (approver role, package awaiting release).
 * Every value is put in with DOM calls (dom.ts), never as markup: record contents are the subject's data.
 */
import { ApiError, type Answer, type Schemas } from '../../shared/api.ts';
import { field, h, message } from '../../shared/dom.ts';
import type { ConsoleContext } from '../context.ts';
import { confirmAction } from '../dialog.ts';

type Contents = Answer<'getPackageContents'>;
type Withholding = Schemas['Withholding'];
type Reason = Schemas['WithholdingReason'];

/** Records per preview page, and fields shown as columns (the rest are in the downloaded package). */
const PAGE = 10;
const COLUMNS = 40;

export const WITHHOLDING_REASON_LABEL: Record<Reason, string> = {
  third_party: "Other people's data (Art. 15(4))",
  staff_remarks: "Staff's private remarks",
  legal_privilege: 'Legal privilege',
  other: 'Other (explain to the subject)',
};

interface Part {
  connectorId: string;
  object: string;
  recordId?: string;
  field?: string;
}

function describePart(p: Part): string {
  const where = `${p.connectorId} / ${p.object}`;
  if (p.field !== undefined) return `${where}: field ${p.field} ${p.recordId !== undefined ? `of record ${p.recordId}` : 'in every record'}`;
  return p.recordId !== undefined ? `${where}: record ${p.recordId}` : `${where}: the whole object`;
}

/**
 * The panel, or null when the request does not wait for a release by this staff member. `done` reloads
 * the detail page with a notice once the package was released.
 */
export function releaseSection(
  ctx: ConsoleContext,
  detail: { request: { requestId: string }; actions?: readonly string[] },
  done: (notice: HTMLElement) => void,
): HTMLElement | null {
  if (!detail.actions?.includes('release')) return null;
  const id = detail.request.requestId;
  const path = `/v1/admin/requests/${encodeURIComponent(id)}`;
  const token = ctx.session.token;
  const outcome = h('div', { 'aria-live': 'polite', class: 'outcome' });
  const systems = h('div', { class: 'release-systems' }, message('info', 'Loading the package…'));
  const preview = h('div', { class: 'release-preview' });
  const withheldList = h('div', { class: 'release-withheld' });
  const releaseButton = h('button', { type: 'button', class: 'primary', 'data-release': true }, 'Release package to the subject');
  let current: { connectorId: string; object: string; offset: number } | undefined;

  const fail = (err: unknown) => {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    outcome.replaceChildren(message('error', (err as Error).message));
  };

  const showContents = (c: Contents) => {
    const rows = c.systems.flatMap((s) =>
      s.objects.map((o) =>
        h(
          'tr',
          { 'data-object': `${s.connectorId}/${o.object}`, class: o.withheld ? 'withheld' : '' },
          h('td', {}, s.displayName),
          h('td', {}, o.object),
          h('td', {}, String(o.count)),
          h(
            'td',
            {},
            o.withheld
              ? 'Withheld'
              : h('button', { type: 'button', 'data-preview': true, onclick: () => void load({ connectorId: s.connectorId, object: o.object, offset: 0 }) }, 'Show records'),
            ' ',
            o.withheld ? null : h('button', { type: 'button', 'data-withhold-object': true, onclick: () => void withhold({ connectorId: s.connectorId, object: o.object }) }, 'Withhold all'),
          ),
        ),
      ),
    );
    systems.replaceChildren(
      rows.length
        ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'System'), h('th', {}, 'Object'), h('th', {}, 'Records'), h('th', {}, ''))), h('tbody', {}, ...rows))
        : h('p', {}, 'The package holds no records.'),
    );
    showWithheld(c.withheld);
    if (c.preview) showPreview(c.preview);
  };

  const showWithheld = (list: Withholding[]) => {
    withheldList.replaceChildren(
      h('h3', {}, 'Withheld'),
      list.length
        ? h(
            'ul',
            {},
            ...list.map((w) =>
              h('li', { 'data-withheld': w.id }, describePart(w), ` — ${WITHHOLDING_REASON_LABEL[w.reason]}${w.note ? `: ${w.note}` : ''} (${w.by})`),
            ),
          )
        : h('p', {}, 'Nothing is withheld: the subject gets everything listed above.'),
    );
  };

  const showPreview = (p: NonNullable<Contents['preview']>) => {
    const fields = p.fields.slice(0, COLUMNS);
    const head = h(
      'tr',
      {},
      h('th', {}, 'id'),
      ...fields.map((f) =>
        h(
          'th',
          {},
          f,
          ' ',
          h('button', { type: 'button', class: 'small', 'data-withhold-field': f, title: `Withhold ${f} in every record`, onclick: () => void withhold({ connectorId: p.connectorId, object: p.object, field: f }) }, 'Withhold'),
        ),
      ),
      h('th', {}, ''),
    );
    const body = p.records.map((r) =>
      h(
        'tr',
        { 'data-record': r.id, class: r.withheld ? 'withheld' : '' },
        h('td', {}, r.id),
        ...fields.map((f) => h('td', { class: r.withheldFields.includes(f) ? 'withheld' : '' }, r.withheldFields.includes(f) ? '(withheld)' : (r.fields[f] ?? ''))),
        h(
          'td',
          {},
          r.withheld
            ? 'Withheld'
            : h('button', { type: 'button', 'data-withhold-record': r.id, onclick: () => void withhold({ connectorId: p.connectorId, object: p.object, recordId: r.id }) }, 'Withhold record'),
        ),
      ),
    );
    const last = Math.min(p.offset + p.records.length, p.total);
    preview.replaceChildren(
      h('h3', {}, `${p.connectorId} / ${p.object}: records ${p.total ? p.offset + 1 : 0}–${last} of ${p.total}`),
      h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, head), h('tbody', {}, ...body))),
      p.fields.length > COLUMNS ? h('p', { class: 'hint' }, `${p.fields.length - COLUMNS} more fields are in the downloaded package.`) : '',
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', 'data-page': 'previous', disabled: p.offset === 0, onclick: () => void load({ connectorId: p.connectorId, object: p.object, offset: Math.max(0, p.offset - PAGE) }) }, 'Previous'),
        h('button', { type: 'button', 'data-page': 'next', disabled: last >= p.total, onclick: () => void load({ connectorId: p.connectorId, object: p.object, offset: p.offset + PAGE }) }, 'Next'),
      ),
    );
  };

  const load = async (page?: { connectorId: string; object: string; offset: number }) => {
    current = page ?? current;
    const query = current
      ? `?connector=${encodeURIComponent(current.connectorId)}&object=${encodeURIComponent(current.object)}&offset=${current.offset}&limit=${PAGE}`
      : '';
    try {
      showContents(await ctx.api.call<Contents>('GET', `${path}/contents${query}`, { token }));
    } catch (err) {
      fail(err);
    }
  };

  const withhold = async (part: Part) => {
    const reason = h('select', { name: 'reason', required: true });
    reason.append(h('option', { value: '' }, 'Choose a reason'));
    for (const [key, label] of Object.entries(WITHHOLDING_REASON_LABEL)) reason.append(h('option', { value: key }, label));
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000 });
    const ok = await confirmAction({
      title: 'Withhold from the package?',
      description: `${describePart(part)}. The package is rebuilt without it, and the subject's report says what was withheld and why.`,
      fields: [field('Reason', reason), field('Explanation for the subject', note, 'Shown in their report. Required for "Other".')],
      confirmLabel: 'Withhold',
      danger: true,
      validate: () => (!reason.value ? 'Choose a reason.' : reason.value === 'other' && !note.value.trim() ? 'Explain "Other" for the subject.' : undefined),
    });
    if (!ok) return;
    outcome.replaceChildren(message('info', 'Rebuilding the package…'));
    try {
      await ctx.api.call('POST', `${path}/withhold`, { token, body: { ...part, reason: reason.value, ...(note.value.trim() ? { note: note.value.trim() } : {}) } });
      outcome.replaceChildren(message('success', `Withheld: ${describePart(part)}.`));
      await load();
    } catch (err) {
      fail(err);
    }
  };

  releaseButton.addEventListener('click', async () => {
    const ok = await confirmAction({
      title: 'Release the package?',
      description: 'The subject is mailed a link to the package as it is now. Nothing can be withheld afterwards.',
      confirmLabel: 'Release',
    });
    if (!ok) return;
    outcome.replaceChildren(message('info', 'Releasing…'));
    try {
      await ctx.api.call('POST', `${path}/release`, { token, body: {} });
      done(message('success', 'Package released: the subject is being sent the link.'));
    } catch (err) {
      fail(err);
    }
  });

  void load();
  return h(
    'section',
    { 'aria-labelledby': 'sec-release', class: 'release' },
    h('h2', { id: 'sec-release' }, 'Release to the subject'),
    h(
      'p',
      { class: 'hint' },
      "The package is assembled and waits for you. Withhold what must not go out (other people's data, staff's private remarks, privileged material), then release it. The deadline keeps running.",
    ),
    outcome,
    systems,
    preview,
    withheldList,
    h('div', { class: 'actions' }, releaseButton),
  );
}
