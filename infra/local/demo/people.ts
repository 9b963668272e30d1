/**
 * The demo dataset's people (DESIGN section 7), generated deterministically so every start, every test
 * and every sandbox agrees on who exists where:
 * - alice@example.com is in every system;
 * - bob@example.com is only in Stripe and HubSpot;
 * - carol@example.com is in no system;
 * - nora@fjordkontor.test is an end user of the resale partner "nordlys" (config/example.config.json):
 *   only in the account store, whose item names the partner (`resalePartner`), so her requests are
 *   forwarded to the partner (processor mode, docs/processor-mode.md);
 * - thousands of other people are in every system, so a wrong filter shows up as someone else's data.
 */

export type DemoSystem = 'accounts' | 'calls' | 'salesforce' | 'stripe' | 'hubspot' | 'google-analytics';
export const ALL_SYSTEMS: DemoSystem[] = ['accounts', 'calls', 'salesforce', 'stripe', 'hubspot', 'google-analytics'];

export interface DemoPerson {
  /** Stable index: 0 alice, 1 bob, 2 carol, then the crowd. */
  index: number;
  email: string;
  name: string;
  /** The account store's id for the person (also their per-user S3 prefix and GA user id source). */
  accountId: string;
  /** Google Analytics user id held by the account store. */
  gaUserId: string;
  /** Google Analytics client id (the `_ga` cookie's id) of the person's browser, also held by the account store. */
  gaClientId: string;
  phone: string;
  country: string;
  language: string;
  systems: ReadonlySet<DemoSystem>;
  /** The resale partner whose customer the person is (the account store's `resalePartner`). */
  resalePartner?: string;
}

const FIRST = ['Ada', 'Bjørn', 'Chloé', 'Dmitri', 'Eva', 'Farah', 'Gustav', 'Hiro', 'Ingrid', 'Jonas', 'Kari', 'Lars', 'Maja', 'Nils', 'Olga', 'Per', 'Rania', 'Sven', 'Tuva', 'Ulrik'];
const LAST = ['Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Jensen', 'Karlsen', 'Berg', 'Haugen', 'Dahl', 'Lie', 'Moen'];
const COUNTRIES = ['NO', 'SE', 'DK', 'DE', 'GB', 'US', 'FR', 'NL'];
const LANGS = ['nb', 'sv', 'da', 'de', 'en', 'en', 'fr', 'nl'];

/** How many people besides alice, bob and carol; the sandboxes and stores all hold every one of them. */
export const DEFAULT_CROWD = 3000;

/** A small deterministic PRNG (mulberry32): the dataset must be the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function person(index: number, email: string, name: string, systems: DemoSystem[]): DemoPerson {
  const i = index % COUNTRIES.length;
  return {
    index,
    email,
    name,
    accountId: `acc_${pad(index, 6)}`,
    gaUserId: `ga-${pad(index * 7919, 9)}`,
    gaClientId: `${pad((index * 104723) % 1_000_000_000, 9)}.1735689600`,
    phone: `+47 4${pad((index * 104729) % 10_000_000, 7)}`,
    country: COUNTRIES[i]!,
    language: LANGS[i]!,
    systems: new Set(systems),
  };
}

/** The named demo people, in index order. */
export const ALICE = person(0, 'alice@example.com', 'Alice Andersen', ALL_SYSTEMS);
export const BOB = person(1, 'bob@example.com', 'Bob Berg', ['stripe', 'hubspot']);
export const CAROL = person(2, 'carol@example.com', 'Carol Dahl', []);

/**
 * A resale partner's end user. Her index is far past any crowd, so adding her moves nobody else's ids;
 * she comes last in demoPeople.
 */
export const NORA: DemoPerson = { ...person(900_001, 'nora@fjordkontor.test', 'Nora Fjeld', ['accounts']), resalePartner: 'nordlys' };

/** Every demo person: alice, bob, carol, then `crowd` others who are in every system, then nora. */
export function demoPeople(crowd = DEFAULT_CROWD): DemoPerson[] {
  const people = [ALICE, BOB, CAROL];
  for (let k = 0; k < crowd; k++) {
    const index = k + 3;
    const first = FIRST[k % FIRST.length]!;
    const last = LAST[Math.floor(k / FIRST.length) % LAST.length]!;
    // Some crowd addresses look like alice's on purpose (prefix, suffix, other domain), so a
    // `begins_with` or `contains` filter where an equality belongs exports someone else.
    const email =
      k === 0 ? 'alice@example.com.evil.test'
      : k === 1 ? 'malice@example.com'
      : k === 2 ? 'alice@example.org'
      : k === 3 ? 'alice+news@example.com'
      : `${first.toLowerCase().replace(/[^a-z]/g, 'x')}.${last.toLowerCase()}.${pad(index, 5)}@example.net`;
    people.push(person(index, email, `${first} ${last}`, ALL_SYSTEMS));
  }
  people.push(NORA);
  return people;
}

export function peopleIn(system: DemoSystem, crowd = DEFAULT_CROWD): DemoPerson[] {
  return demoPeople(crowd).filter((p) => p.systems.has(system));
}
