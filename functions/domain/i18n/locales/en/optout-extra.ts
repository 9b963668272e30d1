/**
 * What is left of the marketing opt-out: the acknowledgement of an opt-out that needs no code, the line
 * the confirmation adds when no code was asked, and the third parties the company told to stop.
 */
export const optoutExtra = {
  'optout.mail.ack.noCode':
    'Stopping marketing needs no code: we act on this address straight away and write to you here when it is done. If you did not ask for this, the only effect is that you get no more marketing from us.',
  'optout.mail.noCode':
    'We did this without asking you to confirm your address with a code, because stopping marketing only limits what we do: we sent no information about you anywhere.',
  'optout.mail.agentNotice':
    'Stopping marketing needs no code, so we act on it straight away; it only stops our marketing to you, and we send nothing about you to the agent. If you did not give this person permission, tell our data protection officer at {email}.',
  'optout.form.sentHeading': 'We are stopping marketing to you',
  'optout.form.sentText':
    'No code is needed for this. We are stopping marketing to the address you gave and will confirm by email when it is done. Your reference is {requestId}.',
  'optout.mail.thirdParties':
    'We are also telling the other companies we sold or shared your personal information with to stop selling or sharing it and to stop marketing to you, and to pass your request on to anyone they passed it to:',
  'optout.mail.thirdParty': '{name}',
  'optout.mail.thirdPartyWhat': '{name} ({what})',
  'optout.thirdParty.subject': 'Opt-out of sale or sharing: please stop (our reference {requestId})',
  'optout.thirdParty.greeting': 'Hello {thirdParty},',
  'optout.thirdParty.intro':
    '{organisation} has sold or shared personal information about the person below with you. They have asked us to stop selling or sharing it and to stop marketing to them (California: Civil Code §1798.120 and 11 CCR §7026(f); EU/EEA: an objection to direct marketing, GDPR Art. 21(3)).',
  'optout.thirdParty.details': 'The request',
  'optout.thirdParty.reference': 'Our reference: {requestId}',
  'optout.thirdParty.received': 'Received by us: {date}',
  'optout.thirdParty.email': 'The person’s email address: {email}',
  'optout.thirdParty.what': 'What we sold or shared with you: {what}',
  'optout.thirdParty.ask':
    'Please stop selling or sharing this person’s personal information and stop using it for marketing, and pass this request on to anyone you have sold or shared it with since you received it from us.',
  'optout.thirdParty.confirm': 'Please confirm to our data protection officer at {dpo}, quoting {requestId}, once you have done so.',
  'optout.erasure.suppressionKept':
    'You opted out of marketing on {date}. So that we keep honouring that, we keep a coded (hashed) fingerprint of your email address on our suppression list: it is not erased with your other data, holds nothing else about you, and only stops us from marketing to that address again.',
} as const;
