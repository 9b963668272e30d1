/** Resten av reservasjonen mot markedsføring: kvittering uten kode, og tredjepartene vi har bedt om å stoppe. */
import type { optoutExtra as en } from '../en/optout-extra.ts';

export const optoutExtra: Record<keyof typeof en, string> = {
  'optout.mail.ack.noCode':
    'Du trenger ingen kode for å stoppe markedsføring: vi handler på denne adressen med en gang og skriver til deg her når det er gjort. Hvis det ikke var du som ba om dette, er den eneste virkningen at du ikke får mer markedsføring fra oss.',
  'optout.mail.noCode':
    'Vi gjorde dette uten å be deg bekrefte adressen med en kode, fordi det å stoppe markedsføring bare begrenser hva vi gjør: vi har ikke sendt noen opplysninger om deg noe sted.',
  'optout.mail.agentNotice':
    'Det trengs ingen kode for å stoppe markedsføring, så vi handler med en gang. Det stopper bare markedsføringen vår til deg, og vi sender ingenting om deg til fullmektigen. Hvis du ikke har gitt denne personen fullmakt, si fra til personvernombudet vårt på {email}.',
  'optout.form.sentHeading': 'Vi slutter å sende deg markedsføring',
  'optout.form.sentText':
    'Du trenger ingen kode for dette. Vi stopper markedsføringen til adressen du oppga, og bekrefter på e-post når det er gjort. Referansen din er {requestId}.',
  'optout.mail.thirdParties':
    'Vi ber også de andre selskapene vi har solgt eller delt personopplysningene dine med, om å slutte å selge eller dele dem og slutte å sende deg markedsføring, og om å sende forespørselen din videre til alle de har gitt opplysningene til:',
  'optout.mail.thirdParty': '{name}',
  'optout.mail.thirdPartyWhat': '{name} ({what})',
  'optout.thirdParty.subject': 'Reservasjon mot salg eller deling: vennligst stopp (vår referanse {requestId})',
  'optout.thirdParty.greeting': 'Hei {thirdParty},',
  'optout.thirdParty.intro':
    '{organisation} har solgt eller delt personopplysninger om personen nedenfor med dere. Personen har bedt oss slutte å selge eller dele dem og slutte å sende markedsføring (California: Civil Code §1798.120 og 11 CCR §7026(f); EU/EØS: innsigelse mot direkte markedsføring, personvernforordningen art. 21 nr. 3).',
  'optout.thirdParty.details': 'Forespørselen',
  'optout.thirdParty.reference': 'Vår referanse: {requestId}',
  'optout.thirdParty.received': 'Mottatt hos oss: {date}',
  'optout.thirdParty.email': 'Personens e-postadresse: {email}',
  'optout.thirdParty.what': 'Dette har vi solgt eller delt med dere: {what}',
  'optout.thirdParty.ask':
    'Vennligst slutt å selge eller dele personopplysningene til denne personen og slutt å bruke dem til markedsføring, og send forespørselen videre til alle dere har solgt eller delt dem med etter at dere fikk dem fra oss.',
  'optout.thirdParty.confirm': 'Vennligst bekreft til personvernombudet vårt på {dpo} når dette er gjort, og oppgi {requestId}.',
  'optout.erasure.suppressionKept':
    'Du reserverte deg mot markedsføring {date}. For at vi fortsatt skal respektere det, beholder vi et kodet (hashet) fingeravtrykk av e-postadressen din på reservasjonslisten vår: det slettes ikke sammen med de andre opplysningene dine, inneholder ingenting annet om deg og hindrer bare at vi sender markedsføring til den adressen igjen.',
} as const;
