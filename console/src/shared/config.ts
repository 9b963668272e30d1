/**
 * The small `config.json` the console and the public page read at start. The embedded runtime generates
 * it from the product configuration; on AWS the deployment writes the same shape next to the built
 * files in S3. It holds no secret: a Cognito app client for a browser is public by design (PKCE
 * replaces the client secret).
 */
export interface CognitoAuth {
  mode: 'cognito';
  /** The hosted UI's base URL, e.g. https://dsar.auth.eu-north-1.amazoncognito.com */
  domain: string;
  clientId: string;
  /** Where Cognito sends the code back: the console's /console/callback page. */
  redirectUri: string;
  /** Where Cognito sends the browser after sign-out. */
  logoutUri: string;
  scopes: string[];
}

export interface LocalAuth {
  /** The embedded runtime: staff paste the token `npm start` prints. */
  mode: 'local';
}

export interface PublicFormConfig {
  organisation: string;
  types: string[];
  /** Whether the subject chooses the law that applies (configuration `jurisdictions.askSubject`). */
  askJurisdiction: boolean;
  jurisdictions: string[];
  defaultJurisdiction: string;
  /** The largest signed permission an agent may attach (configuration `agents.permissionMaxBytes`). */
  agentPermissionMaxBytes: number;
}

export interface ClientConfig {
  /** Base URL of the HTTP API; empty when the API is served from the same origin (the default). */
  apiBaseUrl: string;
  auth: CognitoAuth | LocalAuth;
  publicForm: PublicFormConfig;
}

/** Narrows unknown JSON to a ClientConfig, so a broken deployment fails with a message and not later. */
export function parseClientConfig(raw: unknown): ClientConfig {
  const c = raw as Partial<ClientConfig> | null;
  if (!c || typeof c !== 'object') throw new Error('config.json is not an object');
  const auth = c.auth as (Omit<Partial<CognitoAuth>, "mode"> & { mode?: string }) | undefined;
  if (!auth || (auth.mode !== 'local' && auth.mode !== 'cognito')) throw new Error('config.json: auth.mode must be local or cognito');
  if (auth.mode === 'cognito') {
    for (const key of ['domain', 'clientId', 'redirectUri', 'logoutUri'] as const) {
      if (typeof auth[key] !== 'string' || !auth[key]) throw new Error(`config.json: auth.${key} is required for cognito`);
    }
  }
  const form = c.publicForm;
  if (!form || !Array.isArray(form.types)) throw new Error('config.json: publicForm.types is required');
  return {
    apiBaseUrl: typeof c.apiBaseUrl === 'string' ? c.apiBaseUrl.replace(/\/$/, '') : '',
    auth: auth as CognitoAuth | LocalAuth,
    publicForm: {
      organisation: String(form.organisation ?? ''),
      types: form.types.map(String),
      askJurisdiction: Boolean(form.askJurisdiction),
      jurisdictions: Array.isArray(form.jurisdictions) ? form.jurisdictions.map(String) : [],
      defaultJurisdiction: String(form.defaultJurisdiction ?? ''),
      // An older deployment's config.json has none: the product's default then.
      agentPermissionMaxBytes: Number(form.agentPermissionMaxBytes) > 0 ? Number(form.agentPermissionMaxBytes) : 3 * 1024 * 1024,
    },
  };
}

export async function loadClientConfig(fetchImpl: typeof fetch = fetch): Promise<ClientConfig> {
  const res = await fetchImpl('/console/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`could not load /console/config.json (${res.status})`);
  return parseClientConfig(await res.json());
}
