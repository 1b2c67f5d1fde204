/**
 * 整改 (collect once, share with all departments): the open rectifications of the jurisdiction
 * for fire, police, housing or all of them, overdue first, or the overdue ones alone, each with
 * its house's address and deadline; a click opens the house. The department is kept in the URL
 * (`?department=`), so a department's desk reloads onto its own list. Rows carry
 * `data-hazard-id`, `data-house-id`, `data-item`, `data-department` and `data-overdue`. Fifty rows
 * at a time, "load more" under them (`shared/ui/load-more.ts`); a refetch starts again.
 *
 * A department's officer (部门账号) sees its own department alone, and with rental:rectify signs
 * off an item it verified on site (整改销号, `signoff-form.ts`) under its row.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange, t } from "../shared/i18n";
import { isRentalDepartment, RENTAL_DEPARTMENT_NAMES, RENTAL_DEPARTMENTS } from "../shared/rental-terms";
import type { RentalDepartment, RentalHazardPage, RentalHazardView, RentalHazardWhich, RentalSignOffRecorded } from "../shared/types";
import { mountLoadMore } from "../shared/ui/load-more";
import type { Tab } from "../shared/ui/tabs";
import { hazardItem } from "./house-text";
import { HAZARD_WHICH } from "./labels";
import { getHazards } from "./rentals-api";
import { mountSignOffForm } from "./signoff-form";

export interface HazardsTabOptions {
  /** Opens the house (on the houses tab). */
  onOpen(houseId: string): void;
  now(): number;
  /** The departments the user follows (a department officer: its own alone). */
  departments: readonly RentalDepartment[];
  /** May sign off its departments' items (rental:rectify). */
  rectify: boolean;
  onSignedOff(result: RentalSignOffRecorded): void;
}

const PARAM = "department";

/** Mounts the 整改 tab in `parent`; it fetches on `load()` (each time it is shown). */
export function mountHazardsTab(parent: HTMLElement, options: HazardsTabOptions): Tab {
  const followed = options.departments;
  const own = followed.length === 1 ? (followed[0] ?? null) : null;
  const fromUrl = new URLSearchParams(window.location.search).get(PARAM);
  let department: RentalDepartment | null = own ?? (isRentalDepartment(fromUrl) && followed.includes(fromUrl) ? fromUrl : null);
  let signing: string | null = null; // the hazard whose sign-off form is open
  let which: RentalHazardWhich = "open";
  let page: RentalHazardPage | null = null;
  let problem: unknown = null;

  const departments = el("div", { className: "seg hazards__departments", attrs: { role: "group", "aria-label": t("rentals.hazards.department"), "data-i18n-aria-label": "rentals.hazards.department" } });
  const whichRow = el("div", { className: "seg hazards__which", attrs: { role: "group", "aria-label": t("rentals.which.label"), "data-i18n-aria-label": "rentals.which.label" } });
  const count = el("span", { className: "entries__count hazards__count" });
  const body = el("div", { className: "hazards__body" });
  const root = el("section", { className: "panel hazards", attrs: { "aria-labelledby": "rentals-hazards-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "rentals.hazards.title", attrs: { id: "rentals-hazards-title" } }), count]),
    el("p", { className: "field__hint", i18n: "rentals.hazards.hint" }),
    el("div", { className: "hazards__filters" }, [departments, whichRow]),
    body,
  ]);
  parent.append(root);

  const choose = (next: RentalDepartment | null): void => {
    department = next;
    const url = new URL(window.location.href);
    if (next === null) {
      url.searchParams.delete(PARAM);
    } else {
      url.searchParams.set(PARAM, next);
    }
    history.replaceState(null, "", url);
    page = null;
    render();
    void load();
  };

  const segButton = (text: string, on: boolean, dataset: Record<string, string>, click: () => void): HTMLElement => {
    const b = el("button", { className: `seg__btn${on ? " is-active" : ""}`, text, attrs: { type: "button", "aria-pressed": String(on) }, dataset });
    b.addEventListener("click", click);
    return b;
  };

  const render = (): void => {
    departments.replaceChildren(
      ...(own !== null ? [] : [segButton(t("rentals.hazards.all"), department === null, { department: "" }, () => choose(null))]),
      ...RENTAL_DEPARTMENTS.filter((d) => followed.includes(d)).map((d) => segButton(t(RENTAL_DEPARTMENT_NAMES[d]), d === department, { department: d }, () => choose(d))),
    );
    whichRow.replaceChildren(
      ...(Object.keys(HAZARD_WHICH) as RentalHazardWhich[]).map((w) =>
        segButton(t(HAZARD_WHICH[w]), w === which, { which: w }, () => {
          which = w;
          page = null;
          render();
          void load();
        }),
      ),
    );
    root.dataset.department = department ?? "";
    root.dataset.which = which;
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
    count.textContent = t("rentals.hazards.count", { total: page.total, overdue: page.overdue });
    count.classList.toggle("is-alarm", page.overdue > 0);
    root.dataset.count = String(page.items.length);
    root.dataset.total = String(page.total);
    const now = options.now();
    const content =
      page.items.length === 0
        ? el("p", { className: "empty", i18n: which === "open" ? "rentals.hazards.none" : "rentals.hazards.noneOverdue" })
        : el(
            "ol",
            { className: "hazard-list hazards__list" },
            page.items.map((z) => {
              const li = hazardItem(z, now, true);
              const open = el("button", { className: "btn btn--small btn--ghost hazard-item__open", i18n: "rentals.hazards.openHouse", attrs: { type: "button" } });
              open.addEventListener("click", () => options.onOpen(z.house_id));
              li.append(open);
              if (options.rectify && z.cleared_at === null && followed.includes(z.department)) {
                li.append(signOffControl(z));
              }
              return li;
            }),
          );
    replaceChildren(body, [failed, content, pager.root]);
  };

  /** The 整改销号 button, or the form under the row while it is open. */
  const signOffControl = (z: RentalHazardView): HTMLElement => {
    const host = el("div", { className: "hazard-item__signoff" });
    if (signing !== z.id) {
      const button = el("button", { className: "btn btn--small hazard-item__signoff-btn", i18n: "rentals.signoff.open", attrs: { type: "button" } });
      button.addEventListener("click", () => {
        signing = z.id;
        render();
        host.querySelector<HTMLInputElement>("input")?.focus();
      });
      host.append(button);
      return host;
    }
    mountSignOffForm(host, {
      hazard: z,
      onSignedOff: (result) => {
        signing = null;
        options.onSignedOff(result);
        void load();
      },
      onCancel: () => {
        signing = null;
        render();
      },
    });
    return host;
  };

  const pager = mountLoadMore<RentalHazardPage, RentalHazardView>({
    fetch: (offset, limit) => getHazards(department, which, offset, limit),
    key: (z) => z.id,
    total: (p) => (which === "open" ? p.total : p.overdue),
    show(next) {
      page = next;
      problem = null;
      render();
    },
    fail(err) {
      problem = err;
      render();
    },
  });
  const load = (): Promise<void> => pager.reload();

  render();
  onLocaleChange(render);
  return { root, load };
}
