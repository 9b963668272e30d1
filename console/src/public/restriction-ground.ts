/**
 * The public form's optional "why" for a restriction: the grounds of GDPR Art. 18(1) in plain words
 * (functions/domain/restriction/grounds.ts), shown only while "Restrict use of my data" is chosen, so
 * the other types' forms stay as short as they were.
 */
import type { Translator } from '../../../functions/domain/i18n/index.ts';
import { RESTRICTION_GROUNDS } from '../../../functions/domain/restriction/grounds.ts';
import { field, h } from '../shared/dom.ts';

export function restrictionGroundField(t: Translator) {
  const select = h('select', { name: 'ground' });
  select.append(h('option', { value: '' }, t.t('form.restriction.groundNone')));
  for (const ground of RESTRICTION_GROUNDS) select.append(h('option', { value: ground }, t.t(`restriction.ground.${ground}`)));
  const element = field(t.t('form.restriction.ground'), select);
  return {
    element,
    /** Shows the field only for a restriction (the radio buttons' current choice). */
    follow(type: string) {
      element.hidden = type !== 'restriction';
    },
    /** The ground to send, only with a restriction and only when one was picked. */
    value(type: string): string | undefined {
      return type === 'restriction' && select.value ? select.value : undefined;
    },
  };
}
