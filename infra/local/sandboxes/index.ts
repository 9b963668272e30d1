/**
 * The local stand-ins for Salesforce, Stripe, HubSpot and Google Analytics 4 (DESIGN sections 1 and 7):
 * one node:http server per vendor speaking its wire format, seeded deterministically from the demo
 * people, with fault injection for tests. Connectors reach them through their production code, only
 * with another base URL and the credentials returned here.
 */
import { DEFAULT_CROWD, demoPeople, type DemoPerson, type DemoSystem } from '../demo/people.ts';
import type { FaultControl, FaultPatch, Faults } from './faults.ts';
import { GoogleAnalyticsSandbox, type GoogleAnalyticsStore } from './google-analytics.ts';
import { HubSpotSandbox, type HubSpotStore } from './hubspot.ts';
import { SalesforceSandbox, type SalesforceSandboxOptions, type SalesforceStore } from './salesforce.ts';
import { serve, type RunningSandbox, type VendorName, type VendorSandbox } from './server.ts';
import { StripeSandbox, type StripeStore } from './stripe.ts';

export type { FaultControl, FaultPatch, Faults } from './faults.ts';
export type { VendorName } from './server.ts';

/** Someone added for a test only (an address with a quote and a plus sign, ...), never to the demo data. */
export interface ExtraPerson {
  email: string;
  name: string;
  /** Defaults to the four SaaS systems. */
  systems?: DemoSystem[];
}

export interface SandboxOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  ports?: { salesforce?: number; stripe?: number; hubspot?: number; googleAnalytics?: number };
  /** People besides alice, bob and carol (default: the demo dataset's crowd). */
  crowd?: number;
  extraPeople?: ExtraPerson[];
  /** Paging, API version, and the org's settings (Data Protection, org kind, converted-lead permission). */
  salesforce?: Omit<SalesforceSandboxOptions, 'clientId' | 'clientSecret' | 'username'>;
  /** How injected latency waits (default: a timer); tests pass one that records the wait instead. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SandboxUrls {
  salesforce: string;
  stripe: string;
  hubspot: string;
  googleAnalytics: string;
}

export interface SandboxStores {
  salesforce: SalesforceStore;
  stripe: StripeStore;
  hubspot: HubSpotStore;
  googleAnalytics: GoogleAnalyticsStore;
}

export interface Sandboxes {
  urls: SandboxUrls;
  /** Keyed 'salesforce', 'stripe', 'hubspot', 'google-analytics': what a credentials file would hold. */
  credentials: Record<string, Record<string, string>>;
  /** Settings the connectors need that only the sandbox knows (GA property and token URL). */
  settings: { googleAnalytics: { propertyId: string; tokenUrl: string }; salesforce: { loginUrl?: string } };
  faults: FaultControl;
  stores: SandboxStores;
  people: DemoPerson[];
  /**
   * Rolls Stripe's secret key: the old one is refused (401) from now on, and `credentials.stripe` holds
   * the new one. For tests of credential rotation.
   */
  rotateStripeKey(): Record<string, string>;
  close(): Promise<void>;
}

const SAAS: DemoSystem[] = ['salesforce', 'stripe', 'hubspot', 'google-analytics'];
/** Extra people get indexes far past any crowd so seeds treat them as fully furnished test people. */
const EXTRA_BASE_INDEX = 100_000;

function extraPerson(extra: ExtraPerson, k: number): DemoPerson {
  const index = EXTRA_BASE_INDEX + k;
  return {
    index,
    email: extra.email,
    name: extra.name,
    accountId: `acc_${index}`,
    gaUserId: `ga-extra-${index}`,
    gaClientId: `${index}.1735689600`,
    phone: `+47 9${String(index).padStart(7, '0')}`,
    country: 'IE',
    language: 'en',
    systems: new Set(extra.systems ?? SAAS),
  };
}

export async function startSandboxes(options: SandboxOptions = {}): Promise<Sandboxes> {
  const host = options.host ?? '127.0.0.1';
  const people = [...demoPeople(options.crowd ?? DEFAULT_CROWD), ...(options.extraPeople ?? []).map(extraPerson)];
  const inSystem = (s: DemoSystem) => people.filter((p) => p.systems.has(s));

  const salesforce = new SalesforceSandbox(inSystem('salesforce'), options.salesforce);
  const stripe = new StripeSandbox(inSystem('stripe'));
  const hubspot = new HubSpotSandbox(inSystem('hubspot'));
  const googleAnalytics = new GoogleAnalyticsSandbox(inSystem('google-analytics'));

  const ports = options.ports ?? {};
  const vendors: Array<[VendorSandbox, number]> = [
    [salesforce, ports.salesforce ?? 0],
    [stripe, ports.stripe ?? 0],
    [hubspot, ports.hubspot ?? 0],
    [googleAnalytics, ports.googleAnalytics ?? 0],
  ];
  const running = new Map<VendorName, { vendor: VendorSandbox; server: RunningSandbox }>();
  try {
    for (const [vendor, port] of vendors) running.set(vendor.name, { vendor, server: await serve(vendor, host, port, options.sleep) });
  } catch (err) {
    await Promise.all([...running.values()].map((r) => r.server.close()));
    throw err;
  }

  const entry = (name: string) => {
    const hit = running.get((name === 'googleAnalytics' ? 'google-analytics' : name) as VendorName);
    if (!hit) throw new Error(`no sandbox named ${name}`);
    return hit;
  };
  const faults: FaultControl = {
    get: (name) => entry(name).server.faults.snapshot(),
    set: (name, patch: FaultPatch): Faults => {
      const { vendor, server } = entry(name);
      if (patch.expireToken) vendor.expireTokens();
      return server.faults.apply(patch);
    },
    reset: (name) => {
      if (name) entry(name).server.faults.reset();
      else for (const r of running.values()) r.server.faults.reset();
    },
  };

  const url = (name: VendorName) => running.get(name)!.server.url;
  const credentials: Sandboxes['credentials'] = {
    salesforce: { client_id: salesforce.clientId, client_secret: salesforce.clientSecret },
    // The same connected app through the JWT bearer flow, with the connector's production default: the
    // token asked from the org's URL for the audience https://login.salesforce.com.
    'salesforce-jwt': { client_id: salesforce.clientId, username: salesforce.username, private_key: salesforce.privateKeyPem },
    stripe: { secret_key: stripe.secretKey },
    hubspot: { access_token: hubspot.token },
    'google-analytics': {
      client_email: googleAnalytics.clientEmail,
      private_key: googleAnalytics.privateKeyPem,
      token_uri: `${url('google-analytics')}/token`,
    },
  };
  return {
    urls: { salesforce: url('salesforce'), stripe: url('stripe'), hubspot: url('hubspot'), googleAnalytics: url('google-analytics') },
    credentials,
    settings: {
      googleAnalytics: { propertyId: googleAnalytics.propertyId, tokenUrl: `${url('google-analytics')}/token` },
      // Nothing: the Salesforce sandbox accepts the production audience, as a production org does.
      salesforce: {},
    },
    faults,
    stores: { salesforce: salesforce.store, stripe: stripe.store, hubspot: hubspot.store, googleAnalytics: googleAnalytics.store },
    people,
    rotateStripeKey: () => (credentials.stripe = { secret_key: stripe.rotateKey() }),
    close: async () => {
      await Promise.all([...running.values()].map((r) => r.server.close()));
    },
  };
}
