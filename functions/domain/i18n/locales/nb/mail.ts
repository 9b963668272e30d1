/** E-postene til den registrerte (linjene i sletterapporten står i erasure.ts). */
import type { mail as en } from '../en/mail.ts';

export const mail: Record<keyof typeof en, string> = {
  'mail.greeting': 'Hei,',
  'mail.name_line': 'Navn oppgitt i forespørselen: «{name}»',
  'mail.complaint':
    'Du har rett til å klage til tilsynsmyndigheten, {authority} ({address}, {url}), og til å bringe saken inn for domstolene.',

  'mail.ack.subject': 'Vi har mottatt forespørselen din ({requestId})',
  'mail.ack.received': 'Vi mottok forespørselen din om {type} den {received}. Referansen er {requestId}.',
  'mail.ack.due':
    'Du får svar innen {due}. Først må vi bekrefte at denne e-postadressen tilhører deg: vi sender deg en egen e-post med en sekssifret kode.',
  'mail.ack.follow': 'Her kan du følge forespørselen din:',
  'mail.ack.ignore': 'Hvis det ikke var du som sendte denne forespørselen, kan du se bort fra denne e-posten: ingenting skjer før koden er oppgitt.',

  'mail.code.subject': 'Bekreftelseskoden din',
  'mail.code.line': 'Koden din for forespørsel {requestId} er: {code}',
  'mail.code.enter': 'Skriv den inn på denne siden, der du også kan be om en ny kode:',
  'mail.code.validity':
    'Den gjelder i {minutes, plural, one {# minutt} other {# minutter}}. Ikke del den med noen: vi kommer aldri til å be deg om den på telefon.',

  'mail.duplicate.subject': 'Du har allerede en åpen forespørsel ({requestId})',
  'mail.duplicate.body':
    'Vi har mottatt en ny forespørsel om {type}, men det finnes allerede en åpen forespørsel av samme slag for denne e-postadressen ({requestId}, frist {due}). Vi svarer på den; du trenger ikke gjøre noe mer.',
  'mail.duplicate.follow': 'Her kan du følge den:',

  'mail.denial.subject': 'Forespørselen din {requestId} er avslått',
  'mail.denial.body': 'Vi har avslått forespørselen din om {type} ({requestId}).',
  'mail.reason': 'Begrunnelse: {reason}',
  'mail.denial.reason.manifestly_unfounded': 'Forespørselen er åpenbart grunnløs (personvernforordningen artikkel 12 nr. 5).',
  'mail.denial.reason.excessive': 'Forespørselen er urimelig, særlig fordi den gjentas (personvernforordningen artikkel 12 nr. 5).',
  'mail.denial.reason.identity_not_verified': 'Vi kunne ikke bekrefte at forespørselen kommer fra personen opplysningene gjelder.',
  'mail.denial.reason.exemption': 'Et lovbestemt unntak gjelder for opplysningene du ba om.',
  'mail.denial.reason.other': 'En annen grunn, forklart nedenfor.',

  'mail.unverified.subject': 'Forespørselen din {requestId} er avsluttet',
  'mail.unverified.body':
    'Vi har avsluttet forespørselen din ({requestId}) fordi e-postadressen ikke ble bekreftet i tide, og vi kunne derfor ikke være sikre på at forespørselen kom fra deg. Ingen opplysninger er utlevert eller endret.',
  'mail.unverified.again': 'Du er velkommen til å sende en ny forespørsel når som helst.',

  'mail.cancelled.subject': 'Forespørselen din {requestId} er trukket tilbake',
  'mail.cancelled.body': 'Forespørselen din ({requestId}) er trukket tilbake. Begrunnelse: {reason}',
  'mail.cancelled.by_staff': 'avsluttet av våre medarbeidere',

  'mail.completion.subject': 'Opplysningene dine er klare ({requestId})',
  'mail.completion.done': 'Vi er ferdige med forespørselen din om {type} ({requestId}).',
  'mail.completion.download': 'Last ned opplysningene dine (lenken virker til og med {expires}; den er bare for deg, ikke send den videre):',
  'mail.completion.partial': 'Opplysninger fra disse systemene kunne ikke tas med: {systems}. Rapporten i pakken forklarer hvorfor.',

  'mail.extension.subject': 'Vi trenger mer tid til forespørselen din {requestId}',
  'mail.extension.body': 'Vi forlenger fristen for å svare på forespørselen din om {type} ({requestId}), mottatt {received}.',
  'mail.extension.new_date': 'Du får svar innen {due} i stedet for {previous}, slik {statute} tillater.',

  'mail.erasure.subject': 'Opplysningene dine er slettet ({requestId})',
  'mail.erasure.intro': 'Vi er ferdige med forespørselen din om sletting ({requestId}). Dette har vi gjort:',
  'mail.erasure.packages':
    'Vi har også slettet kopiene av opplysningene dine som vi hadde laget til {count, plural, one {den tidligere forespørselen din} other {de # tidligere forespørslene dine}}: nedlastingslenkene i de tidligere e-postene våre virker ikke lenger.',
  'mail.erasure.status_link': 'Den samme rapporten finner du på siden for forespørselen din:',
};
