/**
 * What a panel of the request detail page gets (notes, messages, and any other engineer's panel): the
 * request in full, the company's zone for times, and `submit`, which posts to one of the request's
 * routes and redraws the whole page from the answer (or shows the error), so every panel refreshes the
 * same way after its action. A panel is a function from this to an element (or null when it has nothing
 * to show); detail.ts lists the panels in the order they appear.
 */
import type { Answer } from '../../shared/api.ts';
import type { ConsoleContext } from '../context.ts';

export type Detail = Answer<'getRequest'>;

export interface DetailPage {
  readonly ctx: ConsoleContext;
  readonly detail: Detail;
  /** The company's IANA zone: show instants with timeIn(iso, page.zone). */
  readonly zone: string;
  /** Whether the signed-in staff member may write to the request (the approver role). */
  readonly canWrite: boolean;
  /**
   * POSTs `body` to `/v1/admin/requests/{id}/<route>`; on success redraws the page from the answer with
   * `done` as the notice and resolves true (drafts in `form`, the one just sent, are not kept); on
   * failure shows the API's message and resolves false.
   */
  submit(route: string, body: unknown, done: string, form?: Element): Promise<boolean>;
  /** Reads the request again and redraws the page, with `notice` on top (after a panel's own API call). */
  reload(notice?: HTMLElement): Promise<void>;
}

export type DetailPanel = (page: DetailPage) => HTMLElement | null;

/**
 * A panel that reads its own API: built once and kept across the page's redraws (after actions, while it
 * polls) for as long as `keyOf` gives the same key, so a poll every few seconds does not fetch it again.
 */
export function keptWhileUnchanged(keyOf: (page: DetailPage) => string, build: DetailPanel): DetailPanel {
  let kept: { key: string; element: HTMLElement | null } | undefined;
  return (page) => {
    const key = keyOf(page);
    if (kept?.key !== key) kept = { key, element: build(page) };
    return kept.element;
  };
}
