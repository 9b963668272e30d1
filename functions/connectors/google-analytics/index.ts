/**
 * Google Analytics 4 connector. GA cannot be searched by email and has no per-user export, so the
 * subject's GA user ids come from another connector (the account store holds them) and access reports
 * GA as a recipient holding those identifiers. Erasure submits a user deletion per id through the
 * Admin API (`properties/{id}:submitUserDeletion`), which GA accepts for any id, known or not, so
 * repeating it is harmless.
 */
import type { SaasConnectorConfig } from '#commons/config';
import { ConnectorIncompleteAnswer, ConnectorMisconfigured } from '#connectors/errors';
import { VendorHttp, parseRetryAfter, type Failure, type HttpResult } from '#connectors/http';
import type { Connector, ConnectorContext, ConnectorDeps, DataRecord, ErasureItem, ErasureOutcome, PolicyFor, Subject } from '#connectors/types';
import { ANALYTICS_EDIT_SCOPE, ServiceAccountToken } from './token.ts';

export const GA_OBJECT = 'recipient';
export const GA_RECORD_ID = 'google-analytics';

export type GaIdentifierType = 'userId' | 'clientId' | 'appInstanceId';

export interface GoogleAnalyticsSettings {
  propertyId: string;
  userIdFrom: { connectorId: string; attribute: string };
  /** Which kind of GA identifier the resolved values are (default userId). */
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

function settingsOf(config: SaasConnectorConfig): GoogleAnalyticsSettings {
  const s = config.settings as Partial<GoogleAnalyticsSettings>;
  if (!s.propertyId || !s.userIdFrom?.connectorId || !s.userIdFrom.attribute) {
    throw new ConnectorMisconfigured(config.id, 'settings need propertyId and userIdFrom {connectorId, attribute}');
  }
  return s as GoogleAnalyticsSettings;
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

  async function userIds(subject: Subject, ctx: ConnectorContext): Promise<string[]> {
    const ids = await deps.resolveIdentifier(subject, settings.userIdFrom.connectorId, settings.userIdFrom.attribute, ctx);
    return [...new Set(ids.filter((id) => id.trim() !== ''))];
  }

  return {
    id: config.id,
    config,
    // GA has no per-user read API: a deletion request is accepted, not something access can confirm.
    erasureVerifiable: false,
    async *access(subject: Subject, ctx: ConnectorContext): AsyncGenerator<DataRecord> {
      const ids = await userIds(subject, ctx);
      if (!ids.length) return;
      yield {
        object: GA_OBJECT,
        id: GA_RECORD_ID,
        data: {
          recipient: 'Google Analytics 4',
          property: `properties/${propertyId}`,
          identifiers: { [settings.identifierType ?? 'userId']: ids },
        },
        origin: 'observed',
      };
    },
    async erase(subject: Subject, policyFor: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome> {
      const ids = await userIds(subject, ctx);
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
      for (const id of ids) {
        // Exactly one identifier per request, as the Admin API requires.
        const ack = await client.json<{ deletionRequestTime?: unknown } | undefined>({
          method: 'POST',
          url: `${base}/v1alpha/properties/${encodeURIComponent(propertyId)}:submitUserDeletion`,
          label: 'POST submitUserDeletion',
          json: { [settings.identifierType ?? 'userId']: id },
          signal: ctx.signal,
        });
        // The acknowledgement is the deletion's time; an answer without it is no proof GA took the request.
        if (typeof ack?.deletionRequestTime !== 'string') {
          throw new ConnectorIncompleteAnswer(config.id, 'POST submitUserDeletion answered without deletionRequestTime');
        }
      }
      return done({ object: GA_OBJECT, action: 'deleted', count: ids.length });
    },
  };
}
