/**
 * The public form's part for "Correct my data": the values the subject says are right (name, email,
 * phone, postal address), each optional, shown only while that type is chosen. `read` gives the API's
 * `rectification` (docs/openapi.yaml RequestedRectification), or nothing when no value was filled in
 * (the details field can say what is wrong instead).
 */
import type { Translator } from '../../../functions/domain/i18n/index.ts';
import type { Schemas } from '../shared/api.ts';
import { field, h } from '../shared/dom.ts';

type Requested = Schemas['RequestedRectification'];

export function rectificationFields(t: Translator) {
  const input = (name: string, attrs: Record<string, string | number>) => h('input', { type: 'text', name: `rectification-${name}`, ...attrs });
  const name = input('name', { autocomplete: 'name', maxlength: 200 });
  const email = input('email', { type: 'email', autocomplete: 'email', maxlength: 254 });
  const phone = input('phone', { type: 'tel', autocomplete: 'tel', maxlength: 30 });
  const line1 = input('line1', { autocomplete: 'address-line1', maxlength: 200 });
  const postalCode = input('postalCode', { autocomplete: 'postal-code', maxlength: 20 });
  const city = input('city', { autocomplete: 'address-level2', maxlength: 100 });
  const country = input('country', { autocomplete: 'country', maxlength: 2, pattern: '[A-Za-z]{2}' });
  const element = h(
    'fieldset',
    { class: 'rectification-fields', hidden: true },
    h('legend', {}, t.t('form.rectification.legend')),
    field(t.t('form.rectification.name'), name),
    field(t.t('form.rectification.email'), email),
    field(t.t('form.rectification.phone'), phone),
    field(t.t('form.rectification.line1'), line1),
    field(t.t('form.rectification.postalCode'), postalCode),
    field(t.t('form.rectification.city'), city),
    field(t.t('form.rectification.country'), country),
  );
  const value = (i: HTMLInputElement) => i.value.trim();
  return {
    element,
    /** Shows the part while "Correct my data" is the chosen type. */
    show(visible: boolean) {
      element.hidden = !visible;
    },
    read(): Requested | undefined {
      const address = Object.fromEntries(
        ([['line1', line1], ['postalCode', postalCode], ['city', city], ['country', country]] as const).map(([k, i]) => [k, value(i)]).filter(([, v]) => v),
      );
      const fields = {
        ...(value(name) ? { name: value(name) } : {}),
        ...(value(email) ? { email: value(email) } : {}),
        ...(value(phone) ? { phone: value(phone) } : {}),
        ...(Object.keys(address).length ? { address } : {}),
      };
      return Object.keys(fields).length ? { fields } : undefined;
    },
  };
}
