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
} as const;
