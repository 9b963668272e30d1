/**
 * The public form's part for "Correct my data": the values the subject says are right (name, email,
 * phone, postal address), each optional, in the page only while that type is chosen. `read` gives the API's
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
  const fieldset = h(
    'fieldset',
    { class: 'rectification-fields' },
    h('legend', {}, t.t('form.rectification.legend')),
    field(t.t('form.rectification.name'), name),
    field(t.t('form.rectification.email'), email),
    field(t.t('form.rectification.phone'), phone),
    field(t.t('form.rectification.line1'), line1),
    field(t.t('form.rectification.postalCode'), postalCode),
    field(t.t('form.rectification.city'), city),
    field(t.t('form.rectification.country'), country),
  );
  // In the page only while "Correct my data" is chosen: a hidden field would still be found by its label
  // (the form's own "Email address" and "Correct email address") and sent with the form.
  const element = h('div', { class: 'rectification-slot' });
  const value = (i: HTMLInputElement) => i.value.trim();
  return {
    element,
    /** Puts the part in the page while "Correct my data" is the chosen type; what was typed stays. */
    show(visible: boolean) {
      element.replaceChildren(...(visible ? [fieldset] : []));
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
