/**
 * The public form's agent option: a checkbox that opens the agent's own fields (name, email, organisation,
 * how they act for the person) and the signed permission. The file is checked here for type and size so
 * a reader hears about a wrong file at once; the server checks it again by its bytes, and is the judge.
 * It is sent inline as base64 in the JSON body (the API stays JSON; see docs/openapi.yaml).
 */
import type { Translator } from '../../../functions/domain/i18n/index.ts';
import type { MessageKey } from '../../../functions/domain/i18n/catalogue.ts';
import { field, h } from '../shared/dom.ts';

const RELATIONSHIPS = ['authorised_agent', 'power_of_attorney', 'parent_or_guardian', 'legal_representative', 'other'] as const;
const TYPES = ['application/pdf', 'image/png', 'image/jpeg'];

export interface AgentInput {
  name: string;
  email: string;
  organisation?: string;
  relationship: string;
  locale?: string;
  permission: { contentType: string; data: string };
}

/** Something wrong with the agent part that the reader can fix; its message is in their language. */
export class AgentInputProblem extends Error {}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function agentFields(t: Translator, maxBytes: number) {
  const size = maxBytes >= 1_048_576 ? `${t.number(Math.floor(maxBytes / 104_857.6) / 10)} MB` : `${t.number(Math.round(maxBytes / 1024))} KB`;
  const toggle = h('input', { type: 'checkbox', name: 'byAgent', id: 'by-agent' });
  const name = h('input', { type: 'text', name: 'agentName', autocomplete: 'name', maxlength: 200 });
  const email = h('input', { type: 'email', name: 'agentEmail', autocomplete: 'email', maxlength: 254 });
  const organisation = h('input', { type: 'text', name: 'agentOrganisation', autocomplete: 'organization', maxlength: 200 });
  const relationship = h('select', { name: 'agentRelationship' });
  for (const r of RELATIONSHIPS) relationship.append(h('option', { value: r }, t.t(`agents.relationship.${r}` as MessageKey)));
  const file = h('input', { type: 'file', name: 'agentPermission', accept: TYPES.join(',') });
  const details = h(
    'fieldset',
    { class: 'agent-fields', hidden: true },
    h('legend', {}, t.t('agents.form.legend')),
    h('p', { class: 'hint' }, t.t('agents.form.intro')),
    field(t.t('agents.form.name'), name),
    field(t.t('agents.form.email'), email),
    field(t.t('agents.form.organisation'), organisation),
    field(t.t('agents.form.relationship'), relationship),
    field(t.t('agents.form.permission'), file, t.t('agents.form.permissionHint', { size })),
  );
  const required = [name, email, file];
  toggle.addEventListener('change', () => {
    details.hidden = !toggle.checked;
    for (const el of required) el.required = toggle.checked;
  });
  const element = h('div', {}, h('div', { class: 'choice' }, toggle, h('label', { for: 'by-agent' }, t.t('agents.form.toggle'))), details);

  /** The agent part of the body, or undefined when the reader files for themselves. */
  async function read(locale: string | undefined): Promise<AgentInput | undefined> {
    if (!toggle.checked) return undefined;
    const doc = file.files?.[0];
    if (!doc) throw new AgentInputProblem(t.t('agents.form.permissionMissing'));
    if (!TYPES.includes(doc.type)) throw new AgentInputProblem(t.t('agents.form.permissionType'));
    if (doc.size > maxBytes) throw new AgentInputProblem(t.t('agents.form.permissionTooLarge', { size }));
    return {
      name: name.value.trim(),
      email: email.value.trim(),
      ...(organisation.value.trim() ? { organisation: organisation.value.trim() } : {}),
      relationship: relationship.value,
      ...(locale ? { locale } : {}),
      permission: { contentType: doc.type, data: base64(new Uint8Array(await doc.arrayBuffer())) },
    };
  }
  return { element, read };
}
