/**
 * Google Analytics 4 connector. GA cannot be searched by email and has no per-user export, so the
 * subject's GA identifiers come from other connectors (the account store holds them) and access reports
 * GA as a recipient holding those identifiers. Erasure submits a user deletion per identifier through
 * the Admin API (`properties/{id}:submitUserDeletion`), which GA accepts for any id, known or not, so
 * repeating it is harmless.
 *
 * Google deletes only the identifier a request names: a user id's deletion leaves the data GA holds
 * under the same person's client ids (web) and app instance ids (apps). So every identifier type the
 * company holds for the subject is configured (`settings.identifiers`) and submitted.
 */
import type { SaasConnectorConfig } from '#commons/config';
import { ConnectorIncompleteAnswer, ConnectorMisconfigured } from '#connectors/errors';
import { VendorHttp, parseRetryAfter, type Failure, type HttpResult } from '#connectors/http';
import type { Connector, ConnectorContext, ConnectorDeps, DataRecord, ErasureItem, ErasureOutcome, PolicyFor, Subject } from '#connectors/types';
import { ANALYTICS_EDIT_SCOPE, ServiceAccountToken } from './token.ts';

export const GA_OBJECT = 'recipient';
export const GA_RECORD_ID = 'google-analytics';

export const GA_IDENTIFIER_TYPES = ['userId', 'clientId', 'appInstanceId'] as const;
export type GaIdentifierType = (typeof GA_IDENTIFIER_TYPES)[number];

/** Where the subject's identifiers of one GA type come from: an attribute of another connector's records. */
export interface GaIdentifierSource {
  type: GaIdentifierType;
  from: { connectorId: string; attribute: string };
}

/**
 * Google documents that a deleted identifier's data leaves reports within 72 hours and GA's servers in
 * the next deletion process, which runs every two months
 * (developers.google.com/analytics/devguides/config/userdeletion/v3, "Deletion timeline"): 3 + 60 days.
 */
export const GA_DELETION_COMPLETION = { vendor: 'Google', withinDays: 63 } as const;

export interface GoogleAnalyticsSettings {
  propertyId: string;
  /** Every identifier type the company holds for a subject, and where each comes from. */
  identifiers?: GaIdentifierSource[];
  /** One identifier type only (older configurations): `identifierType` (default userId) from here. */
  userIdFrom?: { connectorId: string; attribute: string };
  identifierType?: GaIdentifierType;
  tokenUrl?: string;
  /** Wait suggested for RESOURCE_EXHAUSTED without Retry-After (GA quotas are per minute and per day). */
  quotaHintMs?: number;
  timeoutMs?: number;
}

function googleStatus(body: unknown): string | undefined {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (error && typeof error === 'object') return (error as { status?: string }).status;
  return typeof error === 'string' ? error : undefined;
}

export function classifyGoogle(res: HttpResult, quotaHintMs: number): Failure | undefined {
  if (res.status < 400) return undefined;
  const status = googleStatus(res.body);
  if (res.status === 429 || status === 'RESOURCE_EXHAUSTED') {
    return { kind: 'throttled', retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) ?? quotaHintMs };
  }
  if (res.status === 401) return { kind: 'refresh' };
  // The token endpoint's OAuth errors (bad key, unknown account) need a person.
  if (status === 'invalid_grant' || status === 'invalid_client' || status === 'unauthorized_client') return { kind: 'auth' };
  return undefined;
}

function isSource(value: unknown): value is { connectorId: string; attribute: string } {
  const v = value as { connectorId?: unknown; attribute?: unknown } | undefined;
  return typeof v?.connectorId === 'string' && v.connectorId !== '' && typeof v.attribute === 'string' && v.attribute !== '';
}

/**
 * The identifier sources of a GA configuration: `identifiers`, or the single `userIdFrom` of an older
 * one. The registry resolves them all before an erasure (`identifierDependencies`).
 */
export function gaIdentifierSources(settings: unknown): GaIdentifierSource[] {
  const s = (settings ?? {}) as Partial<GoogleAnalyticsSettings>;
  if (Array.isArray(s.identifiers)) {
    return s.identifiers.filter((i): i is GaIdentifierSource => GA_IDENTIFIER_TYPES.includes(i?.type) && isSource(i?.from));
  }
  return isSource(s.userIdFrom) ? [{ type: s.identifierType ?? 'userId', from: s.userIdFrom }] : [];
}

function settingsOf(config: SaasConnectorConfig): GoogleAnalyticsSettings & { sources: GaIdentifierSource[] } {
  const s = config.settings as Partial<GoogleAnalyticsSettings>;
  const sources = gaIdentifierSources(s);
  const declared = Array.isArray(s.identifiers) ? s.identifiers.length : s.userIdFrom ? 1 : 0;
  if (!s.propertyId || !sources.length || sources.length !== declared || (s.identifierType && !GA_IDENTIFIER_TYPES.includes(s.identifierType))) {
    throw new ConnectorMisconfigured(
      config.id,
      `settings need propertyId and identifiers [{type: ${GA_IDENTIFIER_TYPES.join('|')}, from: {connectorId, attribute}}] (or userIdFrom {connectorId, attribute})`,
    );
  }
  return { ...(s as GoogleAnalyticsSettings), sources };
}

export function createGoogleAnalyticsConnector(config: SaasConnectorConfig, deps: ConnectorDeps): Connector {
  const settings = settingsOf(config);
  const propertyId = String(settings.propertyId).replace(/^properties\//, '');
  let http: Promise<VendorHttp> | undefined;

  function getHttp(): Promise<VendorHttp> {
    http ??= deps.credentials(config.credentials).then((creds) => {
      const staticToken = creds.access_token ?? creds.accessToken;
      const clientEmail = creds.client_email ?? creds.clientEmail;
      const privateKey = creds.private_key ?? creds.privateKey;
      if (!staticToken && !(clientEmail && privateKey)) {
        throw new ConnectorMisconfigured(config.id, 'credentials need client_email and private_key (service account) or access_token');
      }
      const token =
        clientEmail && privateKey
          ? new ServiceAccountToken(
              {
                clientEmail,
                privateKey,
                tokenUrl: settings.tokenUrl ?? creds.token_uri ?? 'https://oauth2.googleapis.com/token',
                scope: ANALYTICS_EDIT_SCOPE,
              },
              () => client,
            )
          : undefined;
      const client: VendorHttp = new VendorHttp({
        connectorId: config.id,
        timeoutMs: settings.timeoutMs,
        classify: (res) => classifyGoogle(res, settings.quotaHintMs ?? 60_000),
        authorize: async (signal) => ({ authorization: `Bearer ${token ? await token.get(signal) : staticToken}` }),
        // A fixed token cannot be renewed: without `refresh`, a 401 is reported as auth failure.
        refresh: token ? () => token.invalidate() : undefined,
      });
      return client;
    });
    http.catch(() => {
      http = undefined;
    });
    return http;
  }

  /** The subject's GA identifiers by type, each type's values distinct; types without any are left out. */
  async function identifiers(subject: Subject, ctx: ConnectorContext): Promise<Partial<Record<GaIdentifierType, string[]>>> {
    const out: Partial<Record<GaIdentifierType, string[]>> = {};
    for (const source of settings.sources) {
      const ids = await deps.resolveIdentifier(subject, source.from.connectorId, source.from.attribute, ctx);
      const values = [...new Set([...(out[source.type] ?? []), ...ids.filter((id) => id.trim() !== '')])];
      if (values.length) out[source.type] = values;
    }
    return out;
  }

  return {
    id: config.id,
    config,
    // GA has no per-user read API: a deletion request is accepted, not something access can confirm.
    erasureVerifiable: false,
    async *access(subject: Subject, ctx: ConnectorContext): AsyncGenerator<DataRecord> {
      const ids = await identifiers(subject, ctx);
      if (!Object.keys(ids).length) return;
      yield {
        object: GA_OBJECT,
        id: GA_RECORD_ID,
        data: {
          recipient: 'Google Analytics 4',
          property: `properties/${propertyId}`,
          identifiers: ids,
        },
        origin: 'observed',
      };
    },
    async erase(subject: Subject, policyFor: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome> {
      const ids = Object.entries(await identifiers(subject, ctx)).flatMap(([type, values]) => values.map((id) => [type, id] as const));
      const done = async (item: ErasureItem): Promise<ErasureOutcome> => {
        await ctx.erased?.(item);
        return { connectorId: config.id, items: [item] };
      };
      if (!ids.length) return done({ object: GA_OBJECT, action: 'not_found', count: 0 });
      const policy = policyFor(GA_OBJECT);
      if (policy.action === 'retain') {
        return done({ object: GA_OBJECT, action: 'retained', count: ids.length, legalBasis: policy.legalBasis, retentionPeriod: policy.retentionPeriod });
      }
      if (policy.action === 'anonymize') throw new ConnectorMisconfigured(config.id, 'Google Analytics offers deletion only');
      const client = await getHttp();
      const base = config.baseUrl.replace(/\/$/, '');
      // No progress before all are submitted: the ids come from the request, so a later run submits
      // every one of them again and counts them itself.
      for (const [type, id] of ids) {
        // Exactly one identifier per request, as the Admin API requires; Google deletes only that one.
        const ack = await client.json<{ deletionRequestTime?: unknown } | undefined>({
          method: 'POST',
          url: `${base}/v1alpha/properties/${encodeURIComponent(propertyId)}:submitUserDeletion`,
          label: 'POST submitUserDeletion',
          json: { [type]: id },
          signal: ctx.signal,
        });
        // The acknowledgement is the deletion's time; an answer without it is no proof GA took the request.
        if (typeof ack?.deletionRequestTime !== 'string') {
          throw new ConnectorIncompleteAnswer(config.id, 'POST submitUserDeletion answered without deletionRequestTime');
        }
      }
      // Accepted, not done: Google completes the deletion on its own schedule, and says so in the report.
      return done({ object: GA_OBJECT, action: 'deleted', count: ids.length, completion: GA_DELETION_COMPLETION });
    },
  };
}
