/**
 * The ledger (台账): the active entries of the jurisdiction in the chosen group, overdue first
 * and loud, then the soonest due. A filter shows all, the overdue, those with an open need, or
 * (for those who keep the ledger) the ones the user answers for. Rows carry `data-entry-id`,
 * `data-person-id`, `data-group`, `data-overdue`, `data-needs-help`, and `data-warning-level` /
 * `data-warning-state` while the entry's overdue warning is live; a click opens the entry. Fifty
 * rows at a time, "load more" under them (`shared/ui/load-more.ts`); a refetch starts again.
 */

import { formatDay } from "../shared/dates";
import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { GROUP_NAMES } from "../shared/ledger-terms";
import type { LedgerEntryPage, LedgerEntryView, LedgerGroup, LedgerWhich } from "../shared/types";
import { mountLoadMore } from "../shared/ui/load-more";
import { dueText, personName, warningChip } from "./entry-text";
import { WHICH } from "./labels";
import { getEntries } from "./ledgers-api";

export interface EntryList {
  load(): Promise<void>;
  setSelected(entryId: string | null): void;
  /** The name the list shows for an entry it holds, else null. */
  nameOf(entryId: string): string | null;
}

export interface EntryListOptions {
  /** The chosen group (null: every group). */
  group(): LedgerGroup | null;
  /** "mine" is offered to those who keep the ledger (a leader answers for nobody). */
  mine: boolean;
  onSelect(entryId: string): void;
  /** The server's clock, in ms. */
  now(): number;
}

/** Mounts the list in `parent`; call `load()` to fetch (the page does when the tab is shown). */
export function mountEntryList(parent: HTMLElement, options: EntryListOptions): EntryList {
  let which: LedgerWhich = "all";
  let page: LedgerEntryPage | null = null;
  let problem: unknown = null;
  let selected: string | null = null;

  const filters = el("div", { className: "seg entries__filter", attrs: { role: "group", "aria-label": t("ledgers.which.label"), "data-i18n-aria-label": "ledgers.which.label" } });
  const count = el("span", { className: "entries__count" });
  const body = el("div", { className: "entries__body" });
  const root = el("section", { className: "panel entries", attrs: { "aria-labelledby": "ledgers-entries-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "ledgers.entries.title", attrs: { id: "ledgers-entries-title" } }), count]),
    filters,
    body,
  ]);
  parent.append(root);

  const drawFilters = (): void => {
    const offered = (Object.keys(WHICH) as LedgerWhich[]).filter((w) => w !== "mine" || options.mine);
    filters.replaceChildren(
      ...offered.map((w) => {
        const b = el("button", { className: `seg__btn${w === which ? " is-active" : ""}`, text: t(WHICH[w]), attrs: { type: "button", "aria-pressed": String(w === which) }, dataset: { which: w } });
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
    const failed = problem === null ? null : el("div", { className: "ledgers-problem" });
    if (failed !== null) {
      const message = el("p", { className: "field__error" });
      showErrorText(message, describeError(problem), problem);
      const retry = el("button", { className: "btn btn--small", i18n: "action.retry", attrs: { type: "button" } });
      retry.addEventListener("click", () => void load());
      failed.append(message, retry);
    }
    if (page === null) {
      count.textContent = "";
      delete root.dataset.count;
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    count.textContent = t("ledgers.entries.count", { total: page.total, overdue: page.overdue });
    count.classList.toggle("is-alarm", page.overdue > 0);
    root.dataset.count = String(page.items.length);
    root.dataset.overdue = String(page.overdue);
    const showGroup = options.group() === null;
    const now = options.now();
    const content =
      page.items.length === 0
        ? el("p", { className: "empty", i18n: which === "all" ? "ledgers.entries.none" : "ledgers.entries.noneHere" })
        : el("ol", { className: "entries__list" }, page.items.map((item) => row(item, { selected: item.id === selected, showGroup, now, onSelect: options.onSelect })));
    replaceChildren(body, [failed, content, pager.root]);
  };

  const pager = mountLoadMore<LedgerEntryPage, LedgerEntryView>({
    fetch: (offset, limit) => getEntries(options.group(), which, offset, limit),
    key: (item) => item.id,
    // the answer counts the group's entries and the overdue ones; "needs help" and "mine" have no count
    total: (p) => (which === "all" ? p.total : which === "overdue" ? p.overdue : null),
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

  render();
  onLocaleChange(render);
  return {
    load,
    setSelected(entryId) {
      selected = entryId;
      for (const li of body.querySelectorAll<HTMLElement>("[data-entry-id]")) {
        const on = li.dataset.entryId === entryId;
        li.classList.toggle("is-selected", on);
        li.querySelector("button")?.setAttribute("aria-current", String(on));
      }
    },
    nameOf(entryId) {
      const item = page?.items.find((i) => i.id === entryId);
      return item === undefined ? null : personName(item);
    },
  };
}

interface RowOptions {
  selected: boolean;
  showGroup: boolean;
  now: number;
  onSelect(entryId: string): void;
}

function row(item: LedgerEntryView, o: RowOptions): HTMLElement {
  const warning = item.warning;
  const button = el("button", { className: "ledger-row__btn", attrs: { type: "button", "aria-current": String(o.selected) } }, [
    el("span", { className: "ledger-row__top" }, [
      el("strong", { className: "ledger-row__name", text: personName(item) }),
      o.showGroup ? el("span", { className: "group-chip", text: labelOf(GROUP_NAMES, item.group), dataset: { group: item.group } }) : null,
      el("span", { className: `due-chip${item.overdue ? " is-overdue" : ""}`, text: dueText(item, o.now) }),
      item.needs_help ? el("span", { className: "need-chip", i18n: "ledgers.needsHelp" }) : null,
      warning === null ? null : warningChip(warning.level, warning.state),
    ]),
    item.address === null ? null : el("span", { className: "ledger-row__address", text: item.address }),
    el("span", {
      className: "ledger-row__facts",
      text: [
        t("ledgers.row.officer", { name: item.officer_name ?? "—" }),
        item.last_check_at === null ? t("ledgers.row.neverChecked") : t("ledgers.row.lastCheck", { date: formatDay(item.last_check_at) }),
        t("ledgers.row.due", { date: formatDay(item.due_at) }),
      ].join(" · "),
    }),
  ]);
  button.addEventListener("click", () => o.onSelect(item.id));
  const dataset: Record<string, string> = {
    entryId: item.id,
    personId: item.person_id,
    group: item.group,
    overdue: String(item.overdue),
    needsHelp: String(item.needs_help),
  };
  if (warning !== null) {
    dataset.warningLevel = warning.level;
    dataset.warningState = warning.state;
  }
  const classes = ["ledger-row", item.overdue ? "ledger-row--overdue" : "", warning?.level === "serious" ? "ledger-row--serious" : "", o.selected ? "is-selected" : ""];
  return el("li", { className: classes.filter((c) => c !== "").join(" "), dataset }, [button]);
}
