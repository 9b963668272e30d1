/**
 * Links from our mails are opened by people in browsers: the status and download routes answer a page
 * a person can read (what happened, what to do, in their language) when the browser asks for HTML, and
 * the API's JSON when the caller asks for `application/json` or states no preference (API clients, curl,
 * fetch()). The media type and language come from the Accept headers, read by middy's
 * content-negotiation middleware (negotiator: q-values, wildcards, language ranges).
 *
 * The page is in the request's language once the link's token was accepted (an expired or erased
 * package); before that, the browser's: a wrong link must not tell its holder anything about a request.
 */
import type { MiddlewareObj } from '@middy/core';
import httpContentNegotiation from '@middy/http-content-negotiation';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { RequestError } from '#commons/errors';
import { logger } from '#commons/observability';
import { appContext, links } from '#domain/context';
import { LOCALES, translator } from '#domain/i18n/index';
import { linkProblemCsp, linkProblemPage, type LinkKind, type LinkProblem } from '#domain/pages/link-problem';
import { requestLocale } from '#domain/requests/subject';
import { SECURITY_HEADERS, loggableError, requestIdParam } from '../http.ts';

const HTML = 'text/html';

/** What each error code means to the person holding the link. */
const PROBLEMS: Record<string, LinkProblem> = {
  not_found: 'invalid',
  invalid_token: 'invalid',
  malformed_path: 'invalid',
  invalid_request: 'invalid',
  link_expired: 'expired',
  deleted_by_erasure: 'erased',
};

interface Negotiated {
  preferredMediaType?: string;
  preferredLanguage?: string;
}

function problemOf(err: unknown): { status: number; problem: LinkProblem } {
  if (err instanceof RequestError) return { status: err.status, problem: PROBLEMS[err.code] ?? (err.status < 500 ? 'invalid' : 'failed') };
  if ((err as { name?: string } | null)?.name === 'RequestNotFound') return { status: 404, problem: 'invalid' };
  return { status: 500, problem: 'failed' };
}

async function languageFor(event: APIGatewayProxyEventV2, problem: LinkProblem, browser: string | undefined): Promise<string | undefined> {
  if (problem !== 'expired' && problem !== 'erased') return browser;
  const id = requestIdParam.safeParse(event.pathParameters?.id);
  if (!id.success) return browser;
  try {
    return (await requestLocale(appContext(), id.data)) ?? browser;
  } catch {
    return browser;
  }
}

function pageAnswer(status: number, html: string, tag: string, siteBaseUrl: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-language': tag,
      'content-security-policy': linkProblemCsp(siteBaseUrl),
      vary: 'Accept, Accept-Language',
    },
    body: html,
  };
}

/**
 * The middlewares for a link route: negotiation, then the page in place of an error for a browser. On
 * the status route a browser that opened the API's own address with a good token is sent on (303) to
 * the status page, which shows the same in the reader's language.
 */
export function linkPages(kind: LinkKind): Array<MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2>> {
  return [
    httpContentNegotiation({
      parseCharsets: false,
      parseEncodings: false,
      availableLanguages: [...LOCALES],
      defaultToFirstLanguage: true,
      availableMediaTypes: ['application/json', HTML],
      defaultToFirstMediaType: true,
      failOnMismatch: false,
    }) as MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2>,
    {
      after: async (request) => {
        const negotiated = request.context as unknown as Negotiated;
        const response = request.response as APIGatewayProxyStructuredResultV2 | undefined;
        if (kind !== 'status' || negotiated.preferredMediaType !== HTML || response?.statusCode !== 200) return;
        const { id } = request.event.pathParameters ?? {};
        const token = request.event.queryStringParameters?.token ?? '';
        request.response = {
          statusCode: 303,
          headers: { ...SECURITY_HEADERS, location: links(appContext().config).status(id ?? '', token), vary: 'Accept' },
          body: '',
        };
      },
      onError: async (request) => {
        const negotiated = request.context as unknown as Negotiated;
        if (negotiated.preferredMediaType !== HTML) return undefined; // the JSON error, as for any API call
        const { status, problem } = problemOf(request.error);
        if (problem === 'failed') logger.error('unhandled error', { error: loggableError(request.error) });
        const t = translator(await languageFor(request.event, problem, negotiated.preferredLanguage));
        const site = appContext().config.email.publicBaseUrl;
        return pageAnswer(status, linkProblemPage(t, kind, problem, site), t.tag, site);
      },
    },
  ];
}
