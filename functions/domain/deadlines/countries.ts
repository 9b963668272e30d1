/**
 * The countries the engine knows, with the time zone in which a controller there is assumed to
 * receive requests unless it says otherwise. Countries with several zones get the zone of the capital
 * or of most of the population; a controller elsewhere passes its own `timezone`.
 */
export const EEA_COUNTRIES = [
  // EU 27
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT',
  'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
  // EEA EFTA states, bound by the GDPR through the EEA Agreement
  'IS', 'LI', 'NO',
] as const;

export const COUNTRY_TIME_ZONES: Readonly<Record<string, string>> = {
  AT: 'Europe/Vienna',
  BE: 'Europe/Brussels',
  BG: 'Europe/Sofia',
  HR: 'Europe/Zagreb',
  CY: 'Asia/Nicosia',
  CZ: 'Europe/Prague',
  DK: 'Europe/Copenhagen',
  EE: 'Europe/Tallinn',
  FI: 'Europe/Helsinki',
  FR: 'Europe/Paris',
  DE: 'Europe/Berlin',
  GR: 'Europe/Athens',
  HU: 'Europe/Budapest',
  IE: 'Europe/Dublin',
  IT: 'Europe/Rome',
  LV: 'Europe/Riga',
  LT: 'Europe/Vilnius',
  LU: 'Europe/Luxembourg',
  MT: 'Europe/Malta',
  NL: 'Europe/Amsterdam',
  PL: 'Europe/Warsaw',
  PT: 'Europe/Lisbon',
  RO: 'Europe/Bucharest',
  SK: 'Europe/Bratislava',
  SI: 'Europe/Ljubljana',
  ES: 'Europe/Madrid',
  SE: 'Europe/Stockholm',
  IS: 'Atlantic/Reykjavik',
  LI: 'Europe/Vaduz',
  NO: 'Europe/Oslo',
  GB: 'Europe/London',
  // The US laws override this with their state's zone (see jurisdiction rules).
  US: 'America/New_York',
  BR: 'America/Sao_Paulo',
  CA: 'America/Toronto',
};

export function isKnownCountry(country: string): boolean {
  return Object.hasOwn(COUNTRY_TIME_ZONES, country);
}

export function isEeaCountry(country: string): boolean {
  return (EEA_COUNTRIES as readonly string[]).includes(country);
}
