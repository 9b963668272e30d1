/** Retting av opplysninger (personvernforordningen art. 16): navn, skjema og rapporten den registrerte får. */
import type { rectification as en } from '../en/rectification.ts';

export const rectification: Record<keyof typeof en, string> = {
  'type.rectification': 'retting av personopplysningene dine',
  'type.short.rectification': 'Retting',
  'form.type.rectification': 'Rett opplysningene mine',
  'form.rectification.legend': 'Hva er riktig? Fyll bare ut det vi har feil (valgfritt hvis du forklarer det nedenfor)',
  'form.rectification.name': 'Riktig navn',
  'form.rectification.phone': 'Riktig telefonnummer',
  'form.rectification.email': 'Riktig e-postadresse',
  'form.rectification.line1': 'Riktig gateadresse',
  'form.rectification.postalCode': 'Postnummer',
  'form.rectification.city': 'Poststed',
  'form.rectification.country': 'Land (landkode på to bokstaver, f.eks. NO)',
  'rectification.field.name': 'navn',
  'rectification.field.email': 'e-postadresse',
  'rectification.field.phone': 'telefonnummer',
  'rectification.field.address': 'postadresse',
  'rectification.mail.subject': 'Vi har behandlet ønsket ditt om å rette opplysninger (henvendelse {requestId})',
  'rectification.mail.greeting': 'Hei,',
  'rectification.mail.done': 'Som du ba om, har vi rettet opplysningene vi har om deg:',
  'rectification.mail.corrected': '{system}: {field} er rettet.',
  'rectification.mail.none': 'Vi har ikke endret noen av opplysningene dine.',
  'rectification.mail.refusedIntro': 'Disse rettelsene gjorde vi ikke:',
  'rectification.mail.refused': 'Rettelse av {field}: {reason}',
  'rectification.mail.failed': 'Vi har ennå ikke fått bekreftet rettingen i: {systems}. Våre ansatte følger opp dette.',
  'rectification.mail.recipients':
    'Vi gir også beskjed om rettingen til virksomhetene vi har delt opplysningene dine med (personvernforordningen artikkel 19). Svar på denne e-posten hvis du vil vite hvem de er.',
};
