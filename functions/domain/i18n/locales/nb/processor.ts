/** Databehandlermodus (notifications/partner-forward.ts): den registrerte får vite hvem som svarer. */
import type { processor as en } from '../en/processor.ts';

export const processor: Record<keyof typeof en, string> = {
  'mail.forwarded.subject': 'Forespørselen din {requestId} besvares av {partner}',
  'mail.forwarded.body':
    'Du bruker tjenesten vår gjennom {partner}. For personopplysningene i den tjenesten er det {partner} som bestemmer hvordan de brukes (behandlingsansvarlig), og vi behandler dem på vegne av {partner}. Derfor kan vi ikke selv besvare forespørselen din om {type}: {date} sendte vi den videre til {partner}, som vil svare deg.',
  'mail.forwarded.deadline': 'Vi har bedt {partner} om å svare deg innen {due}, fristen som gjaldt for forespørselen din hos oss.',
  'mail.forwarded.contact': 'Slik kontakter du {partner}',
  'mail.forwarded.contact.email': 'E-post: {value}',
  'mail.forwarded.contact.url': 'Nettside: {value}',
  'mail.forwarded.contact.phone': 'Telefon: {value}',
  'mail.forwarded.contact.address': 'Post: {value}',
  'mail.forwarded.nothing': 'Vi har ikke utlevert noen av opplysningene dine. Hvis {partner} ber oss om det, hjelper vi til med å besvare forespørselen din.',
  'mail.forwarded.complaint':
    'Hvis du ikke er fornøyd med hvordan forespørselen din blir behandlet, kan du klage til en datatilsynsmyndighet, for eksempel {authority} ({url}), eller bringe saken inn for domstolene.',
  'status.forwarded': 'Sendt videre til selskapet som leverer tjenesten din og bestemmer hvordan opplysningene dine brukes; det vil svare deg. E-posten vår forteller hvordan du kontakter det.',
  'mail.partner.subject': 'Forespørsel {requestId} fra en av sluttbrukerne deres',
  'mail.partner.greeting': 'Hei {partner},',
  'mail.partner.intro':
    'En av sluttbrukerne deres har sendt en forespørsel om sine personopplysninger til {organisation}. Etter databehandleravtalen vår er dere behandlingsansvarlig for denne personens opplysninger og vi databehandler (personvernforordningen art. 28 nr. 3 bokstav e), så det er dere som skal besvare forespørselen. Vi har bekreftet at avsenderen har tilgang til e-postadressen nedenfor.',
  'mail.partner.details': 'Forespørselen',
  'mail.partner.reference': 'Vår referanse: {requestId}',
  'mail.partner.type': 'Type: {type}',
  'mail.partner.received': 'Mottatt hos oss: {date}',
  'mail.partner.deadline': 'Fristen dere må overholde: {due}',
  'mail.partner.law': 'Regelverket fristen følger: {law}',
  'mail.partner.subjectEmail': 'Avsenderens e-postadresse: {email}',
  'mail.partner.subjectName': 'Navn oppgitt i forespørselen: «{name}»',
  'mail.partner.told': 'Vi har fortalt avsenderen at dere besvarer forespørselen og hvordan dere kan kontaktes. Vi har ikke besvart den og har ikke utlevert noen av opplysningene vi behandler for dere.',
  'mail.partner.instruct':
    'Hvis dere vil at vi skal hjelpe til (for eksempel med å hente ut eller slette denne personens opplysninger i våre systemer), skriv til {dpo} og oppgi referansen {requestId}. Vi gjør noe med denne forespørselen bare etter dokumentert instruks fra dere.',
};
