/**
 * "Load more" (加载更多) under a list the server pages with `limit` and `offset` (the ledger,
 * rental and dispute lists): the first page on `reload()`, then a button that fetches the next
 * page with `offset` = the rows shown and appends it, skipping rows already shown (a row can
 * move between pages while the list changes underneath). The button is hidden once a page came
 * back shorter than the limit, or the rows shown reach the total where the answer has one.
 *
 * A reload (a filter changed, an event arrived) starts again from the first page and drops every
 * answer still on its way, the next pages' included, so an old page is never appended to a new
 * list. The list keeps drawing itself: `show` hands it the rows so far with the newest answer's
 * totals, and it puts `root` under its rows each time it draws. `root` carries `data-state`
 * (`more`, `loading`, `end`) and `data-shown` for tests.
 */

import { el } from "../dom";
import { describeError, showErrorText } from "../error-text";
import { onLocaleChange, t } from "../i18n";

/** Rows per page on the lists that use this (the server allows up to 200). */
export const PAGE_SIZE = 50;

export interface LoadMoreOptions<P extends { items: I[] }, I> {
  /** One page with the list's current filters: at most `limit` rows from `offset`. */
  fetch(offset: number, limit: number): Promise<P>;
  /** A row's identity: a row already shown is not appended again. */
  key(item: I): string;
  /** How many rows the filter has in all, when the answer says (else null: the short page ends it). */
  total(page: P): number | null;
  /** New rows: the first page, or every row so far, with the newest answer's totals. */
  show(page: P): void;
  /** The first page could not be fetched (what was shown may stay; a next page's failure shows by the button). */
  fail(err: unknown): void;
  /** Rows per page (PAGE_SIZE). */
  pageSize?: number;
}

export interface LoadMore {
  /** The button and its line, to put under the list's rows (hidden when nothing more is left). */
  root: HTMLElement;
  /** Fetches the first page again and forgets the rest; older answers are dropped. */
  reload(): Promise<void>;
  /** Drops answers on their way and hides the button (the list shows nothing to page). */
  reset(): void;
  /** Whether more rows may follow those shown (a count of the rows shown is then a floor). */
  hasMore(): boolean;
}

/** The paging of one list; the list calls `reload()` where it used to fetch. */
export function mountLoadMore<P extends { items: I[] }, I>(options: LoadMoreOptions<P, I>): LoadMore {
  const size = options.pageSize ?? PAGE_SIZE;
  let shown: P | null = null;
  let more = false;
  let total: number | null = null;
  let busy = false;
  let problem: unknown = null;
  let round = 0; // the newest reload; answers of older rounds are dropped

  const button = el("button", { className: "btn btn--small btn--ghost load-more__btn", attrs: { type: "button" } });
  const note = el("span", { className: "load-more__note" });
  const error = el("p", { className: "field__error load-more__error", attrs: { role: "alert" } });
  const root = el("div", { className: "load-more" }, [button, note, error]);

  const draw = (): void => {
    const count = shown?.items.length ?? 0;
    root.hidden = !more;
    root.dataset.state = busy ? "loading" : more ? "more" : "end";
    root.dataset.shown = String(count);
    button.disabled = busy;
    button.setAttribute("aria-busy", String(busy));
    button.textContent = t(busy ? "list.loadingMore" : "list.loadMore");
    note.textContent = total === null ? t("list.shown", { n: count }) : t("list.shownOf", { n: count, total });
    if (problem === null) {
      error.hidden = true;
      error.textContent = "";
    } else {
      error.hidden = false;
      showErrorText(error, describeError(problem), problem);
    }
  };

  /** Whether another page may hold rows: the last came back full and the total is not reached. */
  const settle = (page: P, fetched: number): void => {
    total = options.total(page);
    more = fetched >= size && (total === null || page.items.length < total);
  };

  async function reload(): Promise<void> {
    const mine = ++round;
    try {
      const page = await options.fetch(0, size);
      if (mine !== round) {
        return;
      }
      busy = false; // a next page still on its way is dropped: it no longer follows these rows
      problem = null;
      shown = page;
      settle(page, page.items.length);
      draw();
      options.show(page);
    } catch (err) {
      if (mine !== round) {
        return;
      }
      busy = false;
      draw();
      options.fail(err);
    }
  }

  async function next(): Promise<void> {
    const before = shown;
    if (before === null || busy) {
      return;
    }
    const mine = round;
    busy = true;
    problem = null;
    draw();
    try {
      const page = await options.fetch(before.items.length, size);
      if (mine !== round || shown !== before) {
        return; // a reload started or answered meanwhile: its first page stands
      }
      const seen = new Set(before.items.map(options.key));
      const merged: P = { ...page, items: [...before.items, ...page.items.filter((item) => !seen.has(options.key(item)))] };
      shown = merged;
      busy = false;
      settle(merged, page.items.length);
      draw();
      options.show(merged);
    } catch (err) {
      if (mine !== round || shown !== before) {
        return;
      }
      busy = false;
      problem = err; // the button stays: a click tries again
      draw();
    }
  }

  button.addEventListener("click", () => void next());
  draw();
  onLocaleChange(draw);
  return {
    root,
    reload,
    reset() {
      round += 1;
      shown = null;
      more = false;
      total = null;
      busy = false;
      problem = null;
      draw();
    },
    hasMore: () => more,
  };
}
