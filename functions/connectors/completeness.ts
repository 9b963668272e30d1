/**
 * The one rule every connector follows when it reads a batch, a page or a multi-status answer: each
 * record asked for is accounted for. It was returned, or the vendor said explicitly that it does not
 * exist, or the call fails with `ConnectorIncompleteAnswer` (retried by the state machine, then shown to
 * staff). A connector never shortens its output silently: a vendor that answers "207" with no results,
 * or a page that says there is more but gives no way to it, must not become a smaller export that the
 * subject is told is complete.
 *
 * Messages carry counts, labels and vendor codes, never ids or data: ids can be emails.
 */
import { ConnectorIncompleteAnswer } from './errors.ts';

/** The list a page or batch answer must carry; anything else (missing, not an array) is incomplete. */
export function listIn<T>(connectorId: string, label: string, value: unknown, field = 'results'): T[] {
  if (Array.isArray(value)) return value as T[];
  throw new ConnectorIncompleteAnswer(connectorId, `${label} answered without its ${field} list`);
}

export interface BatchAnswer<T> {
  /** The ids the call asked for. */
  asked: readonly string[];
  /** What came back. */
  returned: readonly T[];
  idOf(item: T): string;
  /** Ids the vendor said explicitly do not exist (HubSpot's OBJECT_NOT_FOUND, Salesforce's ENTITY_IS_DELETED). */
  notFound?: Iterable<string>;
  /**
   * Why the others failed, as vendor codes (e.g. HubSpot error categories), for the message: the vendor
   * may have said something about the ids it did not return.
   */
  failures?: readonly string[];
}

export interface Accounted<T> {
  found: T[];
  notFound: string[];
}

/**
 * Checks a batch answer against what was asked: returns the found items (only those asked for) and the
 * ids reported not found, or throws when any id is neither.
 */
export function accountFor<T>(connectorId: string, label: string, answer: BatchAnswer<T>): Accounted<T> {
  const asked = new Set(answer.asked);
  const byId = new Map<string, T>();
  for (const item of answer.returned) {
    const id = answer.idOf(item);
    if (asked.has(id) && !byId.has(id)) byId.set(id, item);
  }
  const notFound = new Set([...(answer.notFound ?? [])].filter((id) => asked.has(id) && !byId.has(id)));
  const missing = [...asked].filter((id) => !byId.has(id) && !notFound.has(id)).length;
  if (missing) {
    const why = answer.failures?.length ? ` (${[...new Set(answer.failures)].join(', ')})` : '';
    throw new ConnectorIncompleteAnswer(connectorId, `${label} left ${missing} of ${asked.size} requested records unaccounted for${why}`);
  }
  return { found: [...byId.values()], notFound: [...notFound] };
}

export interface PageAnswer {
  /** The vendor says there are more pages (Stripe `has_more`, Salesforce `!done`, a `paging.next`). */
  more: boolean;
  /** What leads to the next page (cursor, `after`, `nextRecordsUrl`, last id); empty when none was given. */
  cursor?: string | null;
  /** Records on this page. */
  size: number;
  /** The cursor that led to this page, to catch a vendor that sends the same page again and again. */
  previous?: string;
  /** Whether an empty page may still lead on (S3 listings may, given a cursor); default false. */
  emptyMayContinue?: boolean;
}

/**
 * The cursor to follow after a page, `undefined` at the real end. A page that announces more but is
 * empty, gives no cursor, or repeats the cursor that led to it ends early: that is an error, not the end.
 */
export function nextCursor(connectorId: string, label: string, page: PageAnswer): string | undefined {
  if (!page.more) return undefined;
  if (page.size === 0 && !page.emptyMayContinue) throw new ConnectorIncompleteAnswer(connectorId, `${label} said there is more but returned an empty page`);
  if (!page.cursor) throw new ConnectorIncompleteAnswer(connectorId, `${label} said there is more but gave no cursor to it`);
  if (page.cursor === page.previous) throw new ConnectorIncompleteAnswer(connectorId, `${label} returned the same page cursor again`);
  return page.cursor;
}

/**
 * At the last page: when the vendor gave a total, the pages must have brought that many records
 * (Salesforce `totalSize`, HubSpot search `total`). More than the total is fine (records added while
 * paging); fewer is a listing that ended early.
 */
export function checkTotal(connectorId: string, label: string, seen: number, total: unknown): void {
  if (typeof total !== 'number' || !Number.isFinite(total)) return;
  if (seen < total) throw new ConnectorIncompleteAnswer(connectorId, `${label} ended after ${seen} of ${total} records`);
}
