/** What every console view gets: the API, the signed-in staff member, and navigation. */
import type { Api } from '../shared/api.ts';
import type { ClientConfig } from '../shared/config.ts';
import type { StaffSession } from './auth.ts';

export interface ConsoleContext {
  api: Api;
  config: ClientConfig;
  session: StaffSession;
  navigate(path: string): void;
  /** Features this API answered 404 for (an older deployment): their controls are disabled, not broken. */
  unavailable: Set<string>;
  /** Called when the API says the token is no longer valid. */
  signedOut(): void;
}
