/**
 * How every mail is put together: the text and HTML bodies from paragraphs, the signature, and the
 * mark on mails an anonymous caller can cause. The subject's mails are in ./templates.ts (in their
 * language), staff's in ./staff-mails.ts (English).
 */
import type { DsarConfig } from '#commons/config';
import { escapeHtml } from '#commons/html';
import type { Translator } from '../i18n/index.ts';

export interface Email {
  subject: string;
  text: string;
  html: string;
  /**
   * Set on mails an anonymous caller can cause (by filing, asking for a code, or filing and walking
   * away): the mailer counts them per recipient address and drops them past the configured limit.
   * Mails that follow a verified request or a staff action have none and are never dropped.
   */
  volume?: MailVolume;
}

/** `duplicate-notice` is counted as `anonymous` too, and has its own, smaller limit. */
export type MailVolume = 'anonymous' | 'duplicate-notice';

export function limited(volume: MailVolume, email: Email): Email {
  return { ...email, volume };
}

/** A paragraph: text, text with one link, or a titled list (a list reads on a phone where a table does not fit). */
export type Paragraph = string | { text: string; href: string } | { title: string; items: string[] };

/**
 * Builds both bodies from paragraphs; a paragraph may hold one link, or be a titled list. `t` is the
 * reader's language (the signature is written in it). Mails to staff are English and pass none: the
 * catalogue is then not needed, so functions that only mail staff do not bundle it.
 */
export function compose(config: DsarConfig, subject: string, paragraphs: Paragraph[], t?: Translator): Email {
  const { name, email } = config.organisation.dpo;
  const dpo = t ? t.t('mail.signature.dpo', { name, email }) : `Data protection officer: ${name} <${email}>`;
  const lang = t?.tag ?? 'en-GB';
  const signature = `${config.organisation.name}\n${dpo}`;
  const text = [
    ...paragraphs.map((p) => (typeof p === 'string' ? p : 'href' in p ? `${p.text}\n${p.href}` : [p.title, ...p.items.map((i) => `  - ${i}`)].join('\n'))),
    signature,
  ].join('\n\n');
  // overflow-wrap: a long link or name breaks rather than widening the mail past a phone's screen.
  const html = [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40em;overflow-wrap:anywhere">',
    ...paragraphs.map((p) =>
      typeof p === 'string'
        ? `<p>${escapeHtml(p).replaceAll('\n', '<br>')}</p>`
        : 'href' in p
          ? `<p>${escapeHtml(p.text)}<br><a href="${escapeHtml(p.href)}">${escapeHtml(p.href)}</a></p>`
          : `<p style="margin-bottom:0"><strong>${escapeHtml(p.title)}</strong></p>\n<ul style="margin-top:0.25em;padding-left:1.25em">${p.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`,
    ),
    `<p style="color:#555">${escapeHtml(signature).replaceAll('\n', '<br>')}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

