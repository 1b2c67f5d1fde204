/**
 * The disputes (纠纷): a filter — live ones held here (我方承办), every live one, the overdue,
 * the high-risk, the closed — with the jurisdiction's live, overdue and high-risk totals, and a
 * kind. Live ones come overdue first, then high-risk, then by deadline; closed ones newest first.
 * Rows carry `data-dispute-id`, `data-risk`, `data-kind`, `data-status`, `data-yours`,
 * `data-overdue`, `data-holder-path` and `data-warnings` (the live warnings' rules); a click
 * opens the dispute. Those who may register get "登记纠纷". Fifty rows at a time, "load more"
 * under them (`shared/ui/load-more.ts`); a refetch (a filter, an event) starts again.
 */

import { formatDay } from "../shared/dates";
import { DISPUTE_KINDS, isDisputeKind, KIND_NAMES } from "../shared/dispute-terms";
import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange, t } from "../shared/i18n";
import type { DisputeKind, DisputePage, DisputeView, DisputeWhich } from "../shared/types";
import { mountLoadMore } from "../shared/ui/load-more";
import { getDisputes } from "./disputes-api";
import { dueChip, holderText, kindChip, learnNames, placeText, riskBadge, statusChip, warningChips, yoursChip } from "./dispute-text";
import { WHICH, WHICH_NONE } from "./labels";
import type { UnitNames } from "./unit-names";

export interface DisputeList {
  root: HTMLElement;
  load(): Promise<void>;
  setSelected(disputeId: string | null): void;
}

export interface DisputeListOptions {
  /** Offer "登记纠纷" (dispute:write). */
  register: boolean;
  onRegister(): void;
  onSelect(disputeId: string): void;
  names: UnitNames;
  /** The server's clock, in ms. */
  now(): number;
}

/** Mounts the list in `parent`; call `load()` to fetch (the page does when the tab is shown). */
export function mountDisputeList(parent: HTMLElement, options: DisputeListOptions): DisputeList {
  let which: DisputeWhich = options.register ? "held" : "live";
  let kind: DisputeKind | null = null;
  let page: DisputePage | null = null;
  let problem: unknown = null;
  let selected: string | null = null;

  const filters = el("div", { className: "seg disputes__filter", attrs: { role: "group", "aria-label": t("disputes.which.label"), "data-i18n-aria-label": "disputes.which.label" } });
  const kindSelect = el("select", { className: "field__input disputes__kind", attrs: { id: "disputes-kind", name: "kind" } });
  const totals = el("p", { className: "disputes__totals" });
  const body = el("div", { className: "disputes__body" });
  const register = el("button", { className: "btn btn--primary btn--small disputes__register", i18n: "disputes.register.open", attrs: { type: "button" } });
  register.addEventListener("click", () => options.onRegister());
  const root = el("section", { className: "panel disputes-list", attrs: { "aria-labelledby": "disputes-list-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "disputes.list.title", attrs: { id: "disputes-list-title" } }), options.register ? register : null]),
    totals,
    filters,
    el("div", { className: "disputes__kind-row" }, [el("label", { className: "field__label", i18n: "disputes.kind.label", attrs: { for: kindSelect.id } }), kindSelect]),
    body,
  ]);
  parent.append(root);

  kindSelect.addEventListener("change", () => {
    kind = isDisputeKind(kindSelect.value) ? kindSelect.value : null;
    page = null;
    render();
    void load();
  });

  const drawKinds = (): void => {
    kindSelect.replaceChildren(
      el("option", { text: t("disputes.kind.all"), attrs: { value: "" } }),
      ...DISPUTE_KINDS.map((k) => el("option", { text: t(KIND_NAMES[k]), attrs: { value: k } })),
    );
    kindSelect.value = kind ?? "";
  };

  /** The count on each filter: the jurisdiction's live totals; for "held" and "closed", the rows shown ("50+" while more may follow). */
  const countOf = (w: DisputeWhich): string | null => {
    if (page === null) {
      return null;
    }
    if (w === "live" || w === "overdue" || w === "high") {
      return String(page[w]);
    }
    return w === which ? `${page.items.length}${pager.hasMore() ? "+" : ""}` : null;
  };

  const drawFilters = (): void => {
    filters.replaceChildren(
      ...(Object.keys(WHICH) as DisputeWhich[]).map((w) => {
        const n = countOf(w);
        const b = el("button", { className: `seg__btn${w === which ? " is-active" : ""}`, attrs: { type: "button", "aria-pressed": String(w === which) }, dataset: { which: w } }, [
          el("span", { text: t(WHICH[w]) }),
          n === null ? null : el("span", { className: "seg__count", text: n }),
        ]);
        if ((w === "overdue" || w === "high") && n !== null && n !== "0") {
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
    root.dataset.kind = kind ?? "";
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
      totals.textContent = "";
      delete root.dataset.count;
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    totals.textContent = t("disputes.list.totals", { live: page.live, high: page.high, overdue: page.overdue });
    root.dataset.count = String(page.items.length);
    const now = options.now();
    const content =
      page.items.length === 0
        ? el("p", { className: "empty", i18n: WHICH_NONE[which] })
        : el("ol", { className: "disputes__list" }, page.items.map((item) => row(item, item.id === selected, now, options)));
    replaceChildren(body, [failed, content, pager.root]);
  };

  const pager = mountLoadMore<DisputePage, DisputeView>({
    fetch: (offset, limit) => getDisputes(which, kind, offset, limit),
    key: (d) => d.id,
    // the live totals count what "live", "overdue" and "high" list; "held" and "closed" have no count
    total: (p) => (which === "live" || which === "overdue" || which === "high" ? p[which] : null),
    show(next) {
      for (const d of next.items) {
        learnNames(d, options.names);
      }
      page = next;
      problem = null;
      render();
      // the server names units in Chinese; the other language's names follow when fetched
      void options.names.ensure(next.items.flatMap((d) => [d.org_path, d.holder_path])).then(() => {
        if (page === next) {
          render();
        }
      });
    },
    fail(err) {
      problem = err; // what was shown stays, under the error
      render();
    },
  });
  const load = (): Promise<void> => pager.reload();

  drawKinds();
  render();
  onLocaleChange(() => {
    drawKinds();
    render();
  });
  return {
    root,
    load,
    setSelected(disputeId) {
      selected = disputeId;
      for (const li of body.querySelectorAll<HTMLElement>("[data-dispute-id]")) {
        const on = li.dataset.disputeId === disputeId;
        li.classList.toggle("is-selected", on);
        li.querySelector("button")?.setAttribute("aria-current", String(on));
      }
    },
  };
}

function row(d: DisputeView, selected: boolean, now: number, options: DisputeListOptions): HTMLElement {
  const live = d.status === "open" || d.status === "mediating";
  const facts = [
    t("disputes.row.place", { place: placeText(d, options.names) }),
    t("disputes.row.holder", { unit: holderText(d, options.names) }),
    t("disputes.row.parties", { n: d.parties }),
    live ? t("disputes.row.reported", { date: formatDay(d.reported_at) }) : t("disputes.row.closed", { date: formatDay(d.closed_at) }),
  ];
  const button = el("button", { className: "ledger-row__btn dispute-row__btn", attrs: { type: "button", "aria-current": String(selected) } }, [
    el("span", { className: "ledger-row__top" }, [
      riskBadge(d.risk),
      kindChip(d),
      d.status === "open" ? null : statusChip(d),
      dueChip(d, now),
      d.yours ? yoursChip() : null,
      ...warningChips(d.warnings),
    ]),
    el("strong", { className: "dispute-row__title", text: d.title }),
    el("span", { className: "ledger-row__facts", text: facts.join(" · ") }),
  ]);
  button.addEventListener("click", () => options.onSelect(d.id));
  const dataset: Record<string, string> = {
    disputeId: d.id,
    risk: d.risk,
    kind: d.kind,
    status: d.status,
    yours: String(d.yours),
    overdue: String(d.overdue),
    holderPath: d.holder_path,
    warnings: d.warnings.map((w) => w.rule).join(","),
  };
  const serious = d.warnings.some((w) => w.level === "serious" && w.state !== "resolved");
  const classes = ["ledger-row", "dispute-row", `dispute-row--${d.risk}`, d.overdue ? "ledger-row--overdue" : "", serious ? "ledger-row--serious" : "", live ? "" : "dispute-row--closed", selected ? "is-selected" : ""];
  return el("li", { className: classes.filter((c) => c !== "").join(" "), dataset }, [button]);
}
