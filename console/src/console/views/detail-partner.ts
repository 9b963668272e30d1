/**
 * Processor mode on the detail page: when the subject was recognised as a resale partner's end user,
 * which partner, how, and what staff decided. While undecided, approvers forward the request to the
 * partner (the controller), record the partner's instruction to answer it, or say the subject is not the
 * partner's customer; each asks for confirmation, and the last two keep a reason or reference on record.
 * Once forwarded, the partner's later instruction reopens the request from here.
 */
import { field, h } from '../../shared/dom.ts';
import { confirmAction } from '../dialog.ts';
import { offeredPartnerActions, type PartnerAction } from '../rules.ts';
import { timeIn } from '../time.ts';
import type { DetailPage } from './detail-panel.ts';

const LABEL: Record<PartnerAction, string> = {
  forward: 'Forward to the partner',
  'partner-instruction': 'Record the partner’s instruction',
  'not-partner': 'Not the partner’s customer',
};

const BY: Record<string, string> = { email_domain: 'the email address’s domain', account_attribute: 'an attribute of the account in our account store' };

export function partnerPanel(page: DetailPage): HTMLElement | null {
  const r = page.detail.request;
  const p = r.partner;
  if (!p) return null;
  const when = (iso: string) => timeIn(iso, page.zone);
  const entries: Array<[string, Array<Node | string>]> = [
    ['Partner (the controller)', [p.name]],
    ['Forwarded requests go to', [p.forwarded?.to ?? p.contactEmail ?? '']],
    ['Recognised by', [BY[p.by] ?? p.by, ', ', when(p.at)]],
  ];
  if (p.forwarded) entries.push(['Forwarded', [`by ${p.forwarded.by}, `, when(p.forwarded.at)]]);
  if (p.instruction) {
    entries.push(['Partner’s instruction', [`reference ${p.instruction.reference}, recorded by ${p.instruction.by}, `, when(p.instruction.at), p.instruction.note ? `: ${p.instruction.note}` : '']]);
  }
  if (p.override) entries.push(['Not the partner’s customer', [`${p.override.reason} (${p.override.by}, `, when(p.override.at), ')']]);
  const list = h('dl', {});
  for (const [term, value] of entries) list.append(h('dt', {}, term), h('dd', {}, ...value));
  const actions = page.canWrite ? offeredPartnerActions(page.detail) : [];
  const state = p.instruction
    ? p.forwarded
      ? 'Reopened on the partner’s instruction after it was forwarded: review the request as usual.'
      : 'The partner instructed us to answer: review the request as usual.'
    : p.forwarded
      ? 'The request was sent to the partner, who answers it; none of the subject’s data was released. If the partner instructs us in writing to answer it, record the instruction to reopen the request.'
      : p.override
        ? 'Reviewed as the company’s own customer.'
        : 'We process this person’s data for the partner. Forward the request, or act only on the partner’s documented instruction.';
  return h(
    'section',
    { 'aria-labelledby': 'sec-partner', class: 'panel partner-panel', 'data-partner': p.id },
    h('h2', { id: 'sec-partner' }, 'Resale partner’s end user'),
    h('p', { class: 'hint' }, state),
    list,
    actions.length
      ? h('div', { class: 'actions partner-actions' }, ...actions.map((a) => {
          const button = h('button', { type: 'button', 'data-partner-action': a, class: a === 'forward' ? 'primary' : null }, LABEL[a]);
          button.addEventListener('click', () => void act(page, a, p.name));
          return button;
        }))
      : null,
  );
}

async function act(page: DetailPage, action: PartnerAction, partner: string): Promise<void> {
  const r = page.detail.request;
  switch (action) {
    case 'forward': {
      const ok = await confirmAction({
        title: `Forward to ${partner}?`,
        description: `${partner} is emailed the request (type, dates, the deadline it must meet, the subject’s address and our reference; no data from our systems). ${r.subject.email} is told that ${partner} answers it and how to reach them, and the request closes as forwarded.`,
        confirmLabel: 'Forward',
      });
      if (ok) await page.submit('forward', {}, `Forwarded to ${partner}.`);
      return;
    }
    case 'partner-instruction': {
      const reference = h('input', { name: 'reference', type: 'text', required: true, maxlength: 200, autocomplete: 'off' });
      const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000 });
      const ok = await confirmAction({
        title: `Record ${partner}’s instruction?`,
        description:
          r.status === 'forwarded'
            ? 'Only when the partner has instructed us in writing to answer this request. The request is reopened and waits for review; approve it then as usual. The subject is not asked to confirm their address again.'
            : 'Only when the partner has instructed us in writing to answer this request. The request is then reviewed and approved as usual.',
        fields: [field('The partner’s reference', reference), field('Note (kept in the audit trail)', note)],
        confirmLabel: 'Record instruction',
        validate: () => (reference.value.trim() ? undefined : 'The partner’s reference is required.'),
      });
      const done = r.status === 'forwarded' ? 'Instruction recorded: the request is reopened for review.' : 'Instruction recorded: review the request.';
      if (ok) await page.submit('partner-instruction', { reference: reference.value.trim(), ...(note.value.trim() ? { note: note.value.trim() } : {}) }, done);
      return;
    }
    case 'not-partner': {
      const reason = h('textarea', { name: 'reason', rows: 3, required: true, maxlength: 2000 });
      const ok = await confirmAction({
        title: `Not ${partner}’s customer?`,
        description: 'The request is then reviewed as one of the company’s own customers.',
        fields: [field('Reason (kept in the audit trail)', reason)],
        confirmLabel: 'Review as our own',
        validate: () => (reason.value.trim() ? undefined : 'A reason is required.'),
      });
      if (ok) await page.submit('not-partner', { reason: reason.value.trim() }, 'Reviewed as the company’s own customer.');
      return;
    }
  }
}
