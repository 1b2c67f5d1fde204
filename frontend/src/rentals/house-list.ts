/**
 * The rental houses to act on (待办): a filter — inspected houses by due date (overdue first),
 * the overdue ones, the red ones, those with open rectifications, those never inspected (待评定)
 * — each with the jurisdiction's count, and a search by address (2 characters or more). Rows carry
 * `data-house-id`, `data-grade`, `data-assessed`, `data-overdue`, `data-open-hazards`, and
 * `data-warning-level` / `data-warning-state` while the house's overdue warning is live; a click
 * opens the house. Fifty rows at a time, "load more" under them (`shared/ui/load-more.ts`); a
 * refetch (another filter or search, an event) starts again.
 */

import { formatDay } from "../shared/dates";
import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange, t } from "../shared/i18n";
import { debounce } from "../shared/refetch";
import type { RentalPage, RentalView, RentalWhich } from "../shared/types";
import { mountLoadMore } from "../shared/ui/load-more";
import { areaText, dueChip, floorText, gradeBadge, hazardChip, useText, warningChip } from "./house-text";
import { WHICH, WHICH_NONE } from "./labels";
import { getRentals } from "./rentals-api";

export interface HouseList {
  load(): Promise<void>;
  setSelected(houseId: string | null): void;
  /** The address the list shows for a house it holds, else null. */
  addressOf(houseId: string): string | null;
}

export interface HouseListOptions {
  onSelect(houseId: string): void;
  /** The server's clock, in ms. */
  now(): number;
}

const SEARCH_MIN = 2;
const SEARCH_MS = 300;

/** Mounts the list in `parent`; call `load()` to fetch (the page does when the tab is shown). */
export function mountHouseList(parent: HTMLElement, options: HouseListOptions): HouseList {
  let which: RentalWhich = "due";
  let query: string | null = null;
  let page: RentalPage | null = null;
  let problem: unknown = null;
  let selected: string | null = null;

  const filters = el("div", { className: "seg houses__filter", attrs: { role: "group", "aria-label": t("rentals.which.label"), "data-i18n-aria-label": "rentals.which.label" } });
  const search = el("input", {
    className: "field__input houses__search",
    attrs: { id: "rentals-search", type: "search", name: "q", maxlength: "100", autocomplete: "off", placeholder: t("rentals.search.placeholder"), "data-i18n-placeholder": "rentals.search.placeholder" },
  });
  const searchHint = el("p", { className: "field__hint houses__search-hint", attrs: { id: "rentals-search-hint", "aria-live": "polite" } });
  search.setAttribute("aria-describedby", searchHint.id);
  const totals = el("p", { className: "houses__totals" });
  const body = el("div", { className: "houses__body" });
  const root = el("section", { className: "panel houses", attrs: { "aria-labelledby": "rentals-houses-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "rentals.houses.title", attrs: { id: "rentals-houses-title" } })]),
    totals,
    filters,
    el("div", { className: "houses__search-row" }, [el("label", { className: "field__label", i18n: "rentals.search.label", attrs: { for: search.id } }), search, searchHint]),
    body,
  ]);
  parent.append(root);

  /** The jurisdiction's count for each filter, from the page's totals. */
  const counts = (p: RentalPage): Record<RentalWhich, number> => ({
    due: p.assessed,
    overdue: p.overdue,
    red: p.red,
    hazards: p.open_hazards,
    unassessed: Math.max(0, p.rentals - p.assessed),
  });

  const drawFilters = (): void => {
    const n = page === null ? null : counts(page);
    filters.replaceChildren(
      ...(Object.keys(WHICH) as RentalWhich[]).map((w) => {
        // the houses of each filter; for "hazards", the rectifications open (a house may have several)
        const count = n === null ? null : el("span", { className: "seg__count", text: w === "hazards" ? t("rentals.which.items", { n: n[w] }) : String(n[w]) });
        const b = el("button", { className: `seg__btn${w === which ? " is-active" : ""}`, attrs: { type: "button", "aria-pressed": String(w === which) }, dataset: { which: w } }, [el("span", { text: t(WHICH[w]) }), count]);
        if (w === "overdue" && n !== null && n.overdue > 0) {
          b.classList.add("is-alarm");
        }
        b.addEventListener("click", () => {
          if (w !== which) {
            which = w;
            page = null;
            render();
          }
          void load();
        });
        return b;
      }),
    );
    root.dataset.which = which;
  };

  const render = (): void => {
    drawFilters();
    searchHint.textContent = query === null && search.value.trim().length > 0 ? t("rentals.search.tooShort", { n: SEARCH_MIN }) : "";
    const failed = problem === null ? null : el("div", { className: "ledgers-problem" });
    if (failed !== null) {
      const message = el("p", { className: "field__error" });
      showErrorText(message, describeError(problem), problem);
      const retry = el("button", { className: "btn btn--small", i18n: "action.retry", attrs: { type: "button" } });
      retry.addEventListener("click", () => void load());
      failed.append(message, retry);
    }
    if (page === null) {
      totals.textContent = "";
      delete root.dataset.count;
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    totals.textContent = t("rentals.houses.totals", { rentals: page.rentals, assessed: page.assessed, overdue: page.overdue, red: page.red, hazards: page.open_hazards });
    root.dataset.count = String(page.items.length);
    root.dataset.rentals = String(page.rentals);
    const now = options.now();
    const content =
      page.items.length === 0
        ? el("p", { className: "empty", text: query === null ? t(WHICH_NONE[which]) : t("rentals.search.none", { q: query }) })
        : el("ol", { className: "houses__list" }, page.items.map((item) => row(item, item.house_id === selected, now, options.onSelect)));
    replaceChildren(body, [failed, content, pager.root]);
  };

  const pager = mountLoadMore<RentalPage, RentalView>({
    fetch: (offset, limit) => getRentals(which, query, offset, limit),
    key: (item) => item.house_id,
    // Only the inspected houses and the overdue ones are counted exactly as listed (the red and
    // never-inspected counts come from the map's rollup, "hazards" counts rectifications, a
    // search has no count): the others end at a short page.
    total: (p) => (query !== null ? null : which === "due" ? p.assessed : which === "overdue" ? p.overdue : null),
    show(next) {
      page = next;
      problem = null;
      render();
    },
    fail(err) {
      problem = err; // what was shown stays, under the error
      render();
    },
  });
  const load = (): Promise<void> => pager.reload();

  const searchLater = debounce(() => {
    const text = search.value.trim();
    const next = text.length >= SEARCH_MIN ? text : null;
    if (next !== query) {
      query = next;
      void load();
    } else {
      render();
    }
  }, SEARCH_MS);
  search.addEventListener("input", searchLater);

  render();
  onLocaleChange(render);
  return {
    load,
    setSelected(houseId) {
      selected = houseId;
      for (const li of body.querySelectorAll<HTMLElement>("[data-house-id]")) {
        const on = li.dataset.houseId === houseId;
        li.classList.toggle("is-selected", on);
        li.querySelector("button")?.setAttribute("aria-current", String(on));
      }
    },
    addressOf(houseId) {
      return page?.items.find((i) => i.house_id === houseId)?.address ?? null;
    },
  };
}

function row(item: RentalView, selected: boolean, now: number, onSelect: (houseId: string) => void): HTMLElement {
  const warning = item.warning;
  const facts = [
    t("rentals.row.building", { id: item.building_id }),
    floorText(item.floor),
    areaText(item.area_m2),
    useText(item.use),
    item.last_assessed_at === null ? t("rentals.row.neverInspected") : t("rentals.row.lastInspected", { date: formatDay(item.last_assessed_at) }),
  ];
  const button = el("button", { className: "ledger-row__btn rental-row__btn", attrs: { type: "button", "aria-current": String(selected) } }, [
    el("span", { className: "ledger-row__top" }, [
      gradeBadge(item.grade),
      item.assessed ? null : el("span", { className: "grade-source", i18n: "rentals.grade.fromBlockData" }),
      dueChip(item, now),
      hazardChip(item),
      warning === null ? null : warningChip(warning.level, warning.state),
    ]),
    el("strong", { className: "rental-row__address", text: item.address }),
    el("span", { className: "ledger-row__facts", text: facts.join(" · ") }),
  ]);
  button.addEventListener("click", () => onSelect(item.house_id));
  const dataset: Record<string, string> = {
    houseId: item.house_id,
    grade: item.grade ?? "none",
    assessed: String(item.assessed),
    overdue: String(item.overdue),
    openHazards: String(item.open_hazards),
  };
  if (warning !== null) {
    dataset.warningLevel = warning.level;
    dataset.warningState = warning.state;
  }
  const classes = ["ledger-row", "rental-row", `rental-row--${item.grade ?? "none"}`, item.overdue ? "ledger-row--overdue" : "", warning?.level === "serious" ? "ledger-row--serious" : "", selected ? "is-selected" : ""];
  return el("li", { className: classes.filter((c) => c !== "").join(" "), dataset }, [button]);
}
