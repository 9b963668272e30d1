/**
 * The closing mail of a portability request when the systems hold data about the subject, but none of
 * it is portable (only data we inferred or derived, which GDPR Art. 20 does not cover): no empty ZIP,
 * and no claim that we hold nothing.
 */
export const portability = {
  'nothingPortable.subject': 'No data to hand over for portability ({reference})',
  'nothingPortable.result':
    'Data portability covers the personal data you gave us and the data recorded as you used our services. We found none of that about you, so there is nothing to send you, and no download follows.',
  'nothingPortable.inferred':
    'What we do hold about you is data we inferred or derived ourselves (for example our estimates of how you use the service). Portability does not cover it, but you can see it, with what we use it for, how long we keep it and who receives it, by making a request for access to your data.',
};
