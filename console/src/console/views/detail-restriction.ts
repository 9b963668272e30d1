/**
 * A restriction (GDPR Art. 18) on the detail page: the ground the subject gave, what each system did in
 * each pass (marked and confirmed, left to staff by hand, lifted), the notice the subject was given
 * before lifting, which recipients were told of each pass (Art. 19), and the two staff actions in their order: "Announce lifting" (a reason and a date; the
 * subject is mailed) and, once the API offers it, "Lift restriction". Counts only, never data.
 */
import { field, h } from '../../shared/dom.ts';
import { RESTRICTION_GROUND_LABEL } from '../../shared/labels.ts';
import { confirmAction } from '../dialog.ts';
import { offeredRestrictionActions, type RestrictionAction } from '../rules.ts';
import { timeIn } from '../time.ts';
import type { Detail, DetailPage } from './detail-panel.ts';
import { recipientsTold, type Art19Outcome } from './art19-told.ts';

type Connector = Detail['connectors'][number];

const LABEL: Record<RestrictionAction, string> = {
  'announce-lifting': 'Announce lifting',
  lift: 'Lift restriction',
};

function outcome(c: Connector, zone: string): Array<Node | string> {
  const r = c.restriction;
  if (!r) return [c.status === 'accepted_missing' ? 'Accepted as missing: not confirmed' : c.status === 'failed' ? 'Failed: see the connector above' : 'Pending'];
  const hand = r.byHand > 0 ? [`${r.byHand} ${r.byHand === 1 ? 'record' : 'records'} for staff to ${r.phase === 'set' ? 'restrict' : 'free'} by hand${r.todo ? ` (task ${r.todo})` : ''}`] : [];
  if (!r.applies) return hand.length ? hand : ['Holds nothing about the subject'];
  const marked = r.items.filter((i) => i.records > 0).map((i) => `${i.object} ${i.records}`).join(', ');
  const done = marked ? [`${r.phase === 'set' ? 'Restricted' : 'Lifted'} (${marked})`, ...(r.confirmedAt ? [', confirmed ', timeIn(r.confirmedAt, zone)] : [])] : ['Holds nothing it can mark'];
  return hand.length ? [...done, '; ', ...hand] : done;
}

function table(caption: string, connectors: Connector[], zone: string, names: Record<string, string>): HTMLElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'System'), h('th', { scope: 'col' }, 'Result'))),
    h('tbody', {}, ...connectors.map((c) => h('tr', { 'data-connector': c.connectorId }, h('td', {}, names[c.connectorId] ?? c.connectorId), h('td', {}, ...outcome(c, zone))))),
  );
}

const told = (outcome: Art19Outcome) => recipientsTold(outcome, 'by the mark in its own system');

export function restrictionPanel(page: DetailPage): HTMLElement | null {
  const r = page.detail.request;
  if (r.type !== 'restriction') return null;
  const zone = page.zone;
  const restriction = r.restriction;
  const entries: Array<[string, Array<Node | string>]> = [['Ground (Art. 18(1))', [restriction?.ground ? RESTRICTION_GROUND_LABEL[restriction.ground] ?? restriction.ground : 'None given: see what the subject wrote']]];
  if (restriction?.confirmedAt) entries.push(['Restricted everywhere', [timeIn(restriction.confirmedAt, zone)]]);
  if (r.art19?.restriction) entries.push(['Recipients (Art. 19)', [told(r.art19.restriction)]]);
  const notice = restriction?.notice;
  if (notice) {
    entries.push(['Lifting announced', [`from ${notice.liftOn}, by ${notice.by}`, notice.mailedAt ? [', mailed ', timeIn(notice.mailedAt, zone)] : ' (not mailed yet)'].flat()]);
    entries.push(['Reason given', [notice.reason]]);
  }
  if (restriction?.lifted) entries.push(['Lifted', [`by ${restriction.lifted.by}, `, timeIn(restriction.lifted.at, zone)]]);
  if (r.art19?.restriction_lifted) entries.push(['Recipients told of the lifting', [told(r.art19.restriction_lifted)]]);
  const list = h('dl', {});
  for (const [term, value] of entries) list.append(h('dt', {}, term), h('dd', {}, ...value));
  const setPass = restriction?.setPass ? Object.values(restriction.setPass) : page.detail.connectors;
  const liftPass = restriction?.setPass ? page.detail.connectors : [];
  const actions = page.canWrite ? offeredRestrictionActions(page.detail) : [];
  const state =
    r.status === 'restricted'
      ? notice?.mailedAt
        ? 'The subject was told when the restriction ends. Lift it from that day: every system removes its mark, and the subject is told.'
        : 'The data is restricted until you lift it. Tell the subject first (GDPR Art. 18(3)): announce the lifting with a reason and a date.'
      : restriction?.phase === 'lift'
        ? 'The restriction is being lifted, or was lifted.'
        : 'Each system marks the subject’s data restricted and is read back; staff restrict by hand where a system cannot.';
  return h(
    'section',
    { 'aria-labelledby': 'sec-restriction', class: 'panel restriction-panel' },
    h('h2', { id: 'sec-restriction' }, 'Restriction of processing'),
    h('p', { class: 'hint' }, state),
    list,
    table('Restricting', setPass, zone, page.detail.connectorNames),
    liftPass.length ? table('Lifting', liftPass, zone, page.detail.connectorNames) : null,
    actions.length
      ? h('div', { class: 'actions restriction-actions' }, ...actions.map((a) => {
          const button = h('button', { type: 'button', 'data-restriction-action': a, class: 'primary' }, LABEL[a]);
          button.addEventListener('click', () => void act(page, a));
          return button;
        }))
      : null,
  );
}

async function act(page: DetailPage, action: RestrictionAction): Promise<void> {
  const r = page.detail.request;
  if (action === 'announce-lifting') {
    const reason = h('textarea', { name: 'reason', rows: 3, required: true, maxlength: 2000 });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: page.detail.timeZone }).format(new Date());
    const liftOn = h('input', { name: 'liftOn', type: 'date', required: true, min: today, value: today });
    const ok = await confirmAction({
      title: 'Announce lifting the restriction?',
      description: `${r.subject.email} is emailed, in their language, that the restriction will be lifted from the date you give, with your reason as you write it. You can lift it from that day.`,
      fields: [field('Reason (quoted to the subject)', reason), field('Lift from', liftOn)],
      confirmLabel: 'Send the notice',
      validate: () => (!reason.value.trim() ? 'A reason is required: the subject is told why.' : !liftOn.value ? 'A date is required.' : liftOn.value < today ? 'The date cannot be in the past.' : undefined),
    });
    if (ok) await page.submit('announce-lifting', { reason: reason.value.trim(), liftOn: liftOn.value }, 'Notice sent: the subject was told when the restriction ends.');
    return;
  }
  const ok = await confirmAction({
    title: 'Lift the restriction?',
    description: 'Every system removes its restriction mark and is read back; the request then completes and the subject is told it is lifted.',
    confirmLabel: 'Lift restriction',
  });
  if (ok) await page.submit('lift', {}, 'Lifting: every system removes its mark.');
}
