/**
 * Staff's choice at approval of a rectification: per system, record and field the value to write
 * (prefilled in the console from what the subject asked), and the fields refused with a reason (11 CCR
 * §7023(f): where the data is more likely accurate; the subject is told why). Checked against the
 * preview: a correction may only name a record and field a system showed, so approval cannot write to
 * anything staff were not shown. Stored on its own item (./store.ts) before the review task completes,
 * so the act step finds it.
 */
import { badRequest } from '#commons/errors';
import type { Correction, FieldValueData, PostalAddress, RectifiableField } from '#connectors/types';
import type { AppContext } from '../context.ts';
import { INVISIBLE, nameProblem } from '../requests/names.ts';
import { PHONE_PATTERN } from './requested.ts';
import type { RectificationChoice, Refusal } from './store.ts';

/** A correction as the approve action sends it: which system, record and field, and the value to write. */
export interface CorrectionInput extends Correction {
  connectorId: string;
}

export interface ChoiceInput {
  corrections: CorrectionInput[];
  refusals: Refusal[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is wrong with a value for this field, or undefined. */
function valueProblem(field: RectifiableField, value: FieldValueData): string | undefined {
  if (field === 'address') {
    if (typeof value === 'string') return 'an address is an object (line1, line2, postalCode, city, region, country)';
    const parts = Object.values(value as PostalAddress).filter((v) => typeof v === 'string' && v.trim());
    if (!parts.length) return 'the address is empty';
    if (parts.some((v) => INVISIBLE.test(v as string))) return 'the address must not contain line breaks, control or invisible characters';
    if (value.country && !/^[A-Za-z]{2}$/.test(value.country.trim())) return 'address.country is a two-letter ISO code';
    return undefined;
  }
  if (typeof value !== 'string' || !value.trim()) return `${field} needs a value`;
  if (INVISIBLE.test(value)) return `${field} must not contain line breaks, control or invisible characters`;
  if (field === 'email' && !EMAIL.test(value.trim())) return 'email is not a valid address';
  if (field === 'phone' && !PHONE_PATTERN.test(value.trim())) return 'phone is digits with spaces, +, (), -, . or /';
  if (field === 'name') return nameProblem(value.trim());
  return undefined;
}

/**
 * Checks staff's choice against the stored preview and the request, and stores it (400 with a message
 * otherwise; nothing is stored then). Returns what was stored.
 */
export async function recordChoice(ctx: AppContext, requestId: string, actor: string, input: ChoiceInput | undefined): Promise<RectificationChoice> {
  if (!input) throw badRequest('rectification_choice_required', 'approving a rectification needs rectification: {corrections, refusals}, the values to write and the corrections refused');
  if (!input.corrections.length && !input.refusals.length) {
    throw badRequest('rectification_choice_empty', 'choose at least one correction to write, or refuse with a reason (or deny the request)');
  }
  const current = await ctx.repo.rectifications.current(requestId);
  const corrections: Record<string, Correction[]> = {};
  const seen = new Set<string>();
  for (const [i, c] of input.corrections.entries()) {
    const at = `rectification.corrections[${i}]`;
    const shown = (current[c.connectorId] ?? []).some((v) => v.object === c.object && v.recordId === c.recordId && v.field === c.field);
    if (!shown) throw badRequest('unknown_record', `${at}: ${c.connectorId} did not show field ${c.field} of ${c.object} ${c.recordId} in the preview`);
    const key = `${c.connectorId}|${c.object}|${c.recordId}|${c.field}`;
    if (seen.has(key)) throw badRequest('duplicate_correction', `${at}: ${c.field} of ${c.object} ${c.recordId} is corrected twice`);
    seen.add(key);
    const problem = valueProblem(c.field, c.value);
    if (problem) throw badRequest('invalid_correction', `${at}: ${problem}`);
    const value: FieldValueData = typeof c.value === 'string' ? c.value.trim() : c.value;
    (corrections[c.connectorId] ??= []).push({ object: c.object, recordId: c.recordId, field: c.field, value });
  }
  const refused = new Set<RectifiableField>();
  for (const [i, r] of input.refusals.entries()) {
    if (refused.has(r.field)) throw badRequest('duplicate_refusal', `rectification.refusals[${i}]: ${r.field} is refused twice`);
    if (input.corrections.some((c) => c.field === r.field)) {
      throw badRequest('refused_and_corrected', `rectification.refusals[${i}]: ${r.field} is both corrected and refused; choose one`);
    }
    refused.add(r.field);
  }
  const choice: RectificationChoice = {
    corrections,
    refusals: input.refusals.map((r) => ({ field: r.field, reason: r.reason.trim() })),
    by: actor,
    at: ctx.clock.now().toISOString(),
  };
  await ctx.repo.rectifications.putChoice(requestId, choice);
  return choice;
}

/** The audit trail's record of a choice: what was chosen where, never the values. */
export function choiceAudit(choice: RectificationChoice): Record<string, unknown> {
  return {
    corrections: Object.fromEntries(Object.entries(choice.corrections).map(([connectorId, list]) => [connectorId, list.map((c) => c.field)])),
    refused: choice.refusals.map((r) => r.field),
  };
}
