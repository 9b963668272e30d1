/**
 * The page a person's browser gets when a link from one of our mails cannot be used: what happened and
 * what to do, in the reader's language, styled by the site's own stylesheet and with no script at all, so
 * it needs nothing from the strict CSP but that one stylesheet. API clients get JSON instead (see
 * functions/handlers/api/link-pages.ts).
 */
import { escapeHtml } from '#commons/html';
import type { MessageKey, Translator } from '../i18n/index.ts';

/**
 * Why the link cannot be used: `invalid` (wrong, incomplete or unknown), `expired` (the package was
 * deleted when the link's time ran out), `erased` (the subject's own erasure deleted the package), or
 * `failed` (our fault; try again).
 */
export type LinkProblem = 'invalid' | 'expired' | 'erased' | 'failed';
export type LinkKind = 'status' | 'download';

const TEXTS: Record<LinkKind, Record<LinkProblem, [MessageKey, MessageKey]>> = {
  status: {
    invalid: ['link.invalid.title', 'link.invalid.text'],
    expired: ['link.invalid.title', 'link.invalid.text'],
    erased: ['link.invalid.title', 'link.invalid.text'],
    failed: ['link.loadFailed.title', 'page.unexpectedError'],
  },
  download: {
    invalid: ['download.invalid.title', 'download.invalid.text'],
    expired: ['download.expired.title', 'download.expired.text'],
    erased: ['download.erased.title', 'download.erased.text'],
    failed: ['link.checkFailed.title', 'page.unexpectedError'],
  },
};

/** The stylesheet's own address is the only thing the page may load. */
export function linkProblemCsp(siteBaseUrl: string): string {
  return `default-src 'none'; style-src ${siteBaseUrl.replace(/\/$/, '')}/assets/style.css; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

export function linkProblemPage(t: Translator, kind: LinkKind, problem: LinkProblem, siteBaseUrl: string): string {
  const base = siteBaseUrl.replace(/\/$/, '');
  const [title, text] = TEXTS[kind][problem];
  const newRequest = `${base}/request/?lang=${t.locale}`;
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(t.tag)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(t.t(title))}</title>`,
    `<link rel="stylesheet" href="${escapeHtml(`${base}/assets/style.css`)}">`,
    '</head>',
    `<body class="public"><main id="main" data-problem="${problem}">`,
    `<h1>${escapeHtml(t.t(title))}</h1>`,
    `<p>${escapeHtml(t.t(text))}</p>`,
    `<p><a href="${escapeHtml(newRequest)}">${escapeHtml(t.t('link.newRequest'))}</a></p>`,
    '</main></body>',
    '</html>',
  ].join('\n');
}
