/**
 * The closing mail of an access (or portability) request when no system we searched returned a record:
 * it says so in words, with no ZIP to download, and gives the Art. 15 information that still applies:
 * what we process in general and why (a, b), that nobody received, kept, collected, transferred or
 * assessed anything about this person (c, d, g, h, 15(2)), their rights (e) and where to complain (f).
 */
import type { DsarConfig } from '#commons/config';
import { localText } from '#commons/local-text';
import type { Translator } from '../i18n/index.ts';
import { compose, type Email } from './compose.ts';

export interface NothingHeldFacts {
  requestId: string;
  type: string;
  name?: string;
  /** Display names of the systems searched. */
  systems: string[];
  /**
   * A portability request whose records were all inferred or derived: we do hold data, none of it
   * portable. The mail says that instead of "nothing held", and points to an access request for the
   * rest (whose Art. 15 information the access report gives), without claiming we keep or share nothing.
   */
  onlyInferred?: boolean;
}

export function nothingHeld(config: DsarConfig, r: NothingHeldFacts, t: Translator): Email {
  const notice = config.privacyNotice;
  const authority = config.supervisoryAuthority;
  const dpo = config.organisation.dpo;
  const bullets = (items: string[]) => items.map((i) => `- ${i}`).join('\n');
  if (r.onlyInferred) {
    return compose(
      config,
      t.t('nothingPortable.subject', { reference: r.requestId }),
      [
        t.t('nothingHeld.hello'),
        ...(r.name ? [t.t('nothingHeld.name', { name: r.name })] : []),
        t.t('nothingHeld.done', { reference: r.requestId, type: t.t('type.portability') }),
        `${t.t('nothingHeld.searched', { count: r.systems.length })}\n${bullets(r.systems)}`,
        t.t('nothingPortable.result'),
        t.t('nothingPortable.inferred'),
        t.t('nothingHeld.rights', { dpo: dpo.name, email: dpo.email }),
        t.t('nothingHeld.complaint', { authority: localText(authority.name, t.locale), address: localText(authority.address, t.locale), url: authority.url }),
        { text: t.t('nothingHeld.notice'), href: config.organisation.privacyNoticeUrl },
      ],
      t,
    );
  }
  return compose(
    config,
    t.t('nothingHeld.subject', { reference: r.requestId }),
    [
      t.t('nothingHeld.hello'),
      ...(r.name ? [t.t('nothingHeld.name', { name: r.name })] : []),
      t.t('nothingHeld.done', { reference: r.requestId, type: t.t(r.type === 'portability' ? 'type.portability' : 'type.access') }),
      `${t.t('nothingHeld.searched', { count: r.systems.length })}\n${bullets(r.systems)}`,
      t.t('nothingHeld.result'),
      `${t.t('nothingHeld.purposes')}\n${bullets(notice.purposes.map((p) => localText(p, t.locale)))}`,
      `${t.t('nothingHeld.categories')}\n${bullets(notice.categories.map((c) => localText(c, t.locale)))}`,
      t.t('nothingHeld.none'),
      t.t('nothingHeld.rights', { dpo: dpo.name, email: dpo.email }),
      t.t('nothingHeld.complaint', { authority: localText(authority.name, t.locale), address: localText(authority.address, t.locale), url: authority.url }),
      { text: t.t('nothingHeld.notice'), href: config.organisation.privacyNoticeUrl },
    ],
    t,
  );
}
