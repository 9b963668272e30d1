/** Forespørsler fra en fullmektig: skjemaet, fullmektigens statusvisning, e-postene og avslagsgrunnen. */
import type { agents as en } from '../en/agents.ts';

export const agents: Record<keyof typeof en, string> = {
  'agents.form.toggle': 'Jeg sender forespørselen for en annen person, som fullmektig',
  'agents.form.legend': 'Om deg som fullmektig',
  'agents.form.intro':
    'Fyll inn e-postadressen og navnet til personen forespørselen gjelder, ovenfor. Vi sender bekreftelseskoden og svaret til den personen, ikke til deg; du får en lenke der du kan følge med på statusen.',
  'agents.form.name': 'Fullmektigens navn',
  'agents.form.email': 'Fullmektigens e-post',
  'agents.form.organisation': 'Fullmektigens organisasjon (valgfritt)',
  'agents.form.relationship': 'Hvordan du opptrer for personen',
  'agents.form.permission': 'Fullmakten personen har signert',
  'agents.form.permissionHint': 'En PDF-, PNG- eller JPEG-fil på høyst {size}.',
  'agents.form.permissionMissing': 'Legg ved fullmakten personen har signert.',
  'agents.form.permissionTooLarge': 'Filen er for stor: den kan være på høyst {size}.',
  'agents.form.permissionType': 'Filen må være en PDF, PNG eller JPEG.',
  'agents.form.sentHeading': 'Forespørselen er mottatt',
  'agents.form.sentText':
    'Forespørsel {requestId} er mottatt. Vi har bedt personen bekrefte e-postadressen sin med en kode vi har sendt til vedkommende. Vi svarer personen direkte; du får en e-post med en lenke der du kan følge med på statusen.',
  'agents.relationship.authorised_agent': 'Fullmektig',
  'agents.relationship.power_of_attorney': 'Innehaver av generalfullmakt',
  'agents.relationship.parent_or_guardian': 'Forelder eller verge',
  'agents.relationship.legal_representative': 'Advokat eller annen juridisk representant',
  'agents.relationship.other': 'Annet',
  'agents.status.agentView': 'Du sendte denne forespørselen som fullmektig. Her ser du bare statusen; svaret går til personen forespørselen gjelder.',
  'denial.agent_permission_insufficient': 'Fullmakten viser ikke at personen har gitt fullmektigen myndighet til å sende denne forespørselen.',
  'mail.denial.reason.agent_permission_insufficient':
    'Fullmakten viser ikke at personen har gitt fullmektigen myndighet til å sende denne forespørselen.',
  'agents.mail.notice.subject': 'Noen har sendt en forespørsel om opplysningene dine på dine vegne: {requestId}',
  'agents.mail.notice.body': 'En person som sier at de opptrer på dine vegne, har bedt oss om {type} (forespørsel {requestId}, mottatt {received}).',
  'agents.mail.notice.agent': 'Fullmektig: «{agent}»',
  'agents.mail.notice.verify':
    'Vi går bare videre når du har bekreftet e-postadressen din med koden vi har sendt deg i en egen e-post, og vi sender svaret bare til deg, aldri til fullmektigen.',
  'agents.mail.notice.verify_or_attorney':
    'Vi går bare videre når du har bekreftet e-postadressen din med koden vi har sendt deg i en egen e-post, eller når de ansatte hos oss har kontrollert og godtatt en fullmakt du har gitt fullmektigen. Vi sender svaret bare til deg, aldri til fullmektigen.',
  'agents.mail.notice.object':
    'Hvis du ikke har gitt denne personen fullmakt, skal du ikke skrive inn koden. Si fra til personvernombudet vårt på {email}. Uten din bekreftelse blir forespørselen avsluttet uten at noe blir gjort.',
  'agents.mail.ack.subject': 'Vi har mottatt forespørselen du sendte: {requestId}',
  'agents.mail.ack.body':
    'Vi har mottatt forespørselen om {type} som du sendte på vegne av en annen person {received} (forespørsel {requestId}). Vi har bedt personen bekrefte identiteten sin direkte overfor oss, og vi svarer personen, ikke deg.',
  'agents.mail.ack.follow': 'Her kan du følge med på statusen til forespørselen (bare statusen):',
  'agents.erasure.permissionsDeleted':
    '{count, plural, one {Vi har også slettet fullmakten en fullmektig ga oss for en av dine tidligere forespørsler.} other {Vi har også slettet de # fullmaktene fullmektiger ga oss for dine tidligere forespørsler.}}',
};
