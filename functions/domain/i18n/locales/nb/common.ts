/** Ord som går igjen i e-poster, sider og rapporter. */
import type { common as en } from '../en/common.ts';

export const common: Record<keyof typeof en, string> = {
  'type.access': 'innsyn i personopplysningene dine',
  'type.erasure': 'sletting av personopplysningene dine',
  'type.portability': 'en kopi av personopplysningene dine som du kan ta med deg (dataportabilitet)',
  'type.short.access': 'Innsyn',
  'type.short.erasure': 'Sletting',
  'type.short.portability': 'Dataportabilitet',
  'records.count': '{count, plural, one {# oppføring} other {# oppføringer}}',
  'mail.signature.dpo': 'Personvernombud: {name} <{email}>',
};
