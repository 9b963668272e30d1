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
} as const;
