/**
 * Which connectors' systems belong to a configured recipient (`privacyNotice.recipients`): the
 * connector's display name starts with the recipient's name ("Stripe (payments)" is the recipient
 * "Stripe"). There is no explicit link in the configuration, so this is by name. Art. 19 follow-ups of
 * an erasure and of a rectification both use it: a recipient whose own system was changed through its
 * API was told by that call.
 */
import type { DsarConfig } from '#commons/config';

type Recipient = DsarConfig['privacyNotice']['recipients'][number];

export function connectorsOf(recipient: Recipient, names: string[]): string[] {
  const name = recipient.name.trim().toLowerCase();
  return names.filter((n) => name.length > 0 && n.trim().toLowerCase().startsWith(name));
}
