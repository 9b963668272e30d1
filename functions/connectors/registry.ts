/**
 * Builds connectors from configuration. This is the only place that knows which module serves which
 * kind of system; the workflow only sees the Connector interface.
 */
import type { ConnectorConfig, DsarConfig } from '#commons/config';
import { dynamo, s3Client } from '#commons/clients';
import { DynamoDbTableConnector } from './dynamodb-table.ts';
import { gaIdentifierSources } from './google-analytics/index.ts';
import { S3ObjectsConnector } from './s3-objects.ts';
import { createSaasConnector } from './saas.ts';
import { DataApiConnector } from './sql/data-api.ts';
import { MysqlConnector } from './sql/mysql.ts';
import { PostgresConnector } from './sql/postgres.ts';
import { CREDENTIALS_TTL_MS, credentialsFromEnvironment, type CredentialsProvider } from './credentials.ts';
import { ConnectorAuthFailed, ConnectorMisconfigured } from './errors.ts';
import type { Connector, ConnectorContext, ConnectorDeps, MarketingCapability, RectifyCapability, RestrictCapability, Subject } from './types.ts';

export interface RegistryOptions {
  /** How long a built connector (and the client and secret it holds) is reused; default CREDENTIALS_TTL_MS. */
  ttlMs?: number;
  /** Replaceable for tests. */
  now?: () => number;
}

/**
 * A warm Lambda keeps its registry, and each connector keeps the client it built with the secret it read.
 * So connectors are rebuilt once they are older than the credentials' lifetime, and dropped at once when
 * a vendor refuses the credentials: either way the next use reads the secret again, and a rotated secret
 * takes effect without a cold start.
 */
export class ConnectorRegistry {
  private readonly built = new Map<string, { connector: Connector; at: number }>();
  private readonly identifierCache = new Map<string, Promise<string[]>>();
  private readonly deps: ConnectorDeps;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly config: DsarConfig,
    private readonly credentials: CredentialsProvider = credentialsFromEnvironment(),
    options: RegistryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? CREDENTIALS_TTL_MS;
    this.now = options.now ?? Date.now;
    this.deps = {
      credentials,
      resolveIdentifier: (subject, connectorId, attribute, ctx) => this.resolveIdentifier(subject, connectorId, attribute, ctx),
    };
  }

  get(connectorId: string): Connector {
    const existing = this.built.get(connectorId);
    if (existing && this.now() - existing.at < this.ttlMs) return existing.connector;
    const config = this.config.connectors.find((c) => c.id === connectorId);
    if (!config) throw new ConnectorMisconfigured(connectorId, 'no connector with this id in the configuration');
    if (existing) this.forget(config);
    const connector = this.watched(build(config, this.deps));
    this.built.set(connectorId, { connector, at: this.now() });
    return connector;
  }

  /** Drops the built connector and its cached secret, so the next `get` starts from the secret again. */
  private forget(config: ConnectorConfig): void {
    this.built.delete(config.id);
    if ('credentials' in config && typeof config.credentials === 'string') this.credentials.forget?.(config.credentials);
  }

  /** The connector, with a refusal of its credentials dropping it (the secret may have been rotated). */
  private watched(connector: Connector): Connector {
    const onError = (err: unknown) => {
      if (err instanceof ConnectorAuthFailed && this.built.get(connector.id)?.connector === wrapped) this.forget(connector.config);
    };
    const watch = watcher(onError);
    const countOnly = connector.countOnly?.bind(connector);
    const wrapped: Connector = {
      id: connector.id,
      config: connector.config,
      ...(connector.erasureVerifiable !== undefined ? { erasureVerifiable: connector.erasureVerifiable } : {}),
      async *access(subject, ctx) {
        try {
          yield* connector.access(subject, ctx);
        } catch (err) {
          onError(err);
          throw err;
        }
      },
      erase: (subject, policy, ctx) => watch(() => connector.erase(subject, policy, ctx)),
      ...(countOnly ? { countOnly: (subject: Subject, ctx: ConnectorContext) => watch(() => countOnly(subject, ctx)) } : {}),
      ...(connector.marketing ? { marketing: watchedMarketing(connector.marketing, watch) } : {}),
      ...(connector.rectify ? { rectify: watchedRectify(connector.rectify, watch) } : {}),
      ...(connector.restrict ? { restrict: watchedRestrict(connector.restrict, watch) } : {}),
    };
    return wrapped;
  }

  /** The distinct values of `attribute` in the subject's records of another connector. */
  identifier(subject: Subject, connectorId: string, attribute: string, ctx: ConnectorContext): Promise<string[]> {
    return this.resolveIdentifier(subject, connectorId, attribute, ctx);
  }

  private resolveIdentifier(subject: Subject, connectorId: string, attribute: string, ctx: ConnectorContext): Promise<string[]> {
    const known = subject.identifiers?.[connectorId]?.[attribute];
    if (known) return Promise.resolve(known);
    // Cached for one request only: a warm function serves many requests, and an identifier looked up
    // before an erasure must not outlive it.
    const cacheKey = `${ctx.requestId}\u0000${subject.normalizedEmail}\u0000${connectorId}\u0000${attribute}`;
    let pending = this.identifierCache.get(cacheKey);
    if (!pending) {
      if (this.identifierCache.size > 1000) this.identifierCache.clear();
      pending = (async () => {
        const values = new Set<string>();
        for await (const record of this.get(connectorId).access(subject, ctx)) {
          const value = record.data[attribute];
          if (typeof value === 'string' && value) values.add(value);
        }
        return [...values];
      })();
      this.identifierCache.set(cacheKey, pending);
      pending.catch(() => this.identifierCache.delete(cacheKey));
    }
    return pending;
  }
}

/** Which identifiers other connectors need from a connector (the per-user S3 folder, the GA user id). */
export function identifierDependencies(config: DsarConfig): Array<{ connectorId: string; attribute: string }> {
  const found = new Map<string, { connectorId: string; attribute: string }>();
  for (const c of config.connectors.filter((x) => x.enabled)) {
    const deps: Array<{ connectorId: string; attribute: string }> = [];
    if (c.kind === 's3' && c.subjectKey.from === 'connector') deps.push({ connectorId: c.subjectKey.connectorId, attribute: c.subjectKey.attribute });
    // Every identifier type GA is given (user id, client id, app instance id), each from its own attribute.
    if (c.kind === 'google-analytics') deps.push(...gaIdentifierSources(c.settings).map((s) => ({ connectorId: s.from.connectorId, attribute: s.from.attribute })));
    // A relational table keyed by an id another connector holds.
    if (c.kind === 'postgres' || c.kind === 'mysql') {
      for (const f of c.dataset.tables.flatMap((t) => t.fields)) {
        if (f.identity?.from === 'connector') deps.push({ connectorId: f.identity.connectorId, attribute: f.identity.attribute });
      }
    }
    for (const dep of deps) found.set(`${dep.connectorId}\u0000${dep.attribute}`, dep);
  }
  return [...found.values()];
}

/** Resolves every identifier other connectors depend on, as `Subject.identifiers` holds them. */
export async function resolveIdentifiers(
  registry: ConnectorRegistry,
  config: DsarConfig,
  subject: Subject,
  ctx: ConnectorContext,
): Promise<Record<string, Record<string, string[]>>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const dep of identifierDependencies(config)) {
    (out[dep.connectorId] ??= {})[dep.attribute] = await registry.identifier(subject, dep.connectorId, dep.attribute, ctx);
  }
  return out;
}

function build(config: ConnectorConfig, deps: ConnectorDeps): Connector {
  switch (config.kind) {
    case 'dynamodb':
      return new DynamoDbTableConnector(config, dynamo());
    case 's3':
      return new S3ObjectsConnector(config, s3Client(), deps);
    // Aurora through the Data API, either engine; else the engine's own driver over a connection.
    case 'postgres':
      return config.dataApi ? new DataApiConnector(config, deps) : new PostgresConnector(config, deps);
    case 'mysql':
      return config.dataApi ? new DataApiConnector(config, deps) : new MysqlConnector(config, deps);
    default:
      return createSaasConnector(config, deps);
  }
}

/** Runs one call of a connector, handing any failure on before rethrowing it. */
type Watch = <T>(run: () => Promise<T>) => Promise<T>;

/** A Watch that hands failures to `onError` (which drops refused credentials). */
function watcher(onError: (err: unknown) => void): Watch {
  return async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      onError(err);
      throw err;
    }
  };
}

/** A connector's marketing capability, with a refusal of its credentials reported as `watched` does. */
function watchedMarketing(marketing: MarketingCapability, watch: Watch): MarketingCapability {
  return {
    suppress: (subject, ctx) => watch(() => marketing.suppress(subject, ctx)),
    status: (subject, ctx) => watch(() => marketing.status(subject, ctx)),
  };
}

/** A connector's rectify capability, with a refusal of its credentials reported as `watched` does. */
function watchedRectify(rectify: RectifyCapability, watch: Watch): RectifyCapability {
  return {
    current: (subject, fields, ctx) => watch(() => rectify.current(subject, fields, ctx)),
    apply: (subject, corrections, ctx) => watch(() => rectify.apply(subject, corrections, ctx)),
  };
}

/** A connector's restrict capability, with a refusal of its credentials reported as `watched` does. */
function watchedRestrict(restrict: RestrictCapability, watch: Watch): RestrictCapability {
  return {
    set: (subject, ctx) => watch(() => restrict.set(subject, ctx)),
    lift: (subject, ctx) => watch(() => restrict.lift(subject, ctx)),
    status: (subject, ctx) => watch(() => restrict.status(subject, ctx)),
  };
}
