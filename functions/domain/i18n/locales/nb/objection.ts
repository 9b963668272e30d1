/** Reservasjon mot markedsføring (innsigelse og tilbaketrekking av samtykke): navn, skjema og bekreftelse. */
import type { objection as en } from '../en/objection.ts';

export const objection: Record<keyof typeof en, string> = {
  'type.marketing_opt_out': 'at vi slutter å sende deg markedsføring (innsigelse og tilbaketrekking av samtykke)',
  'type.short.marketing_opt_out': 'Reservasjon mot markedsføring',
  'form.type.marketing_opt_out': 'Stopp markedsføring (ingen flere reklame-e-poster, og jeg trekker tilbake samtykket til markedsføring; ikke selg eller del opplysningene mine)',
  'form.intro.optOut': 'Du kan også be oss slutte å sende deg markedsføring: da stopper vi det i alle systemene vi bruker, og sørger for at det forblir slik.',
  'form.details': 'Er det noe vi bør vite? (valgfritt)',
  'form.detailsHint': 'For eksempel hvilke e-poster du får, eller hva henvendelsen gjelder. Høyst {max, number} tegn. Ikke send passord eller kortnumre.',
  'objection.mail.subject': 'Vi har sluttet å sende deg markedsføring (henvendelse {requestId})',
  'objection.mail.greeting': 'Hei,',
  'objection.mail.done': 'Som du ba om, har vi sluttet å sende deg markedsføring. I hvert av disse systemene er du nå registrert som at du ikke ønsker markedsføring:',
  'objection.mail.system': '{system}: reservert {date}.',
  'objection.mail.none': 'Vi fant ingen markedsføringsopplysninger om deg i systemene våre. Vi har likevel registrert valget ditt, så vi ikke begynner å sende deg markedsføring senere.',
  'objection.mail.kept': 'Vi beholder et kodet (hashet) fingeravtrykk av e-postadressen din på reservasjonslisten vår, slik at en senere import eller registrering ikke slår på markedsføringen igjen. Det blir liggende selv om du senere ber oss slette opplysningene dine: uten det kunne vi ikke respektert dette valget.',
  'objection.mail.service': 'Du får fortsatt meldinger om kontoen din og om henvendelser du sender oss, som ikke er markedsføring.',
  'objection.mail.failed': 'Vi har ennå ikke fått bekreftet reservasjonen i: {systems}. Våre ansatte følger opp dette.',
  'objection.access.line': 'Du reserverte deg mot markedsføring {date} ({system}).',
};
