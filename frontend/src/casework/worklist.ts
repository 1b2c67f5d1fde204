/**
 * The follow-up worklist (随访工作台): my patients or the whole jurisdiction, overdue first, each
 * row with its risk grade, address, last and next visit, how late or how soon, and the live
 * warning about it. Opens on "mine" when the user has any patient due, else on the jurisdiction.
 * Rows carry `data-patient-id` and `data-state` (overdue, today, upcoming).
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange, t } from "../shared/i18n";
import type { DueItem, DuePage } from "../shared/types";
import { getDue, WORKLIST_DAYS, type WorklistScope } from "./casework-api";
import { formatDay } from "../shared/dates";
import { gradeChip } from "./labels";

export interface Worklist {
  /** Fetches the list again (the scope stays). */
  load(): Promise<void>;
  setSelected(patientId: string | null): void;
  /** The name the worklist shows for a patient it lists, else null. */
  nameOf(patientId: string): string | null;
}

const SCOPES: readonly WorklistScope[] = ["mine", "jurisdiction"];

export function mountWorklist(parent: HTMLElement, onSelect: (patientId: string) => void): Worklist {
  let scope: WorklistScope | null = null; // null until the first answer picks it
  let page: DuePage | null = null;
  let problem: unknown = null;
  let selected: string | null = null;
  let asked = 0;
  const names = new Map<string, string>();

  const count = el("span", { className: "worklist__overdue" });
  const scopeBox = el("div", { className: "seg", attrs: { role: "group", "aria-label": t("casework.worklist.scope"), "data-i18n-aria-label": "casework.worklist.scope" } });
  const hint = el("p", { className: "worklist__hint" });
  const body = el("div", { className: "worklist__body" });
  const root = el("section", { className: "panel worklist", attrs: { "aria-labelledby": "worklist-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "casework.worklist.title", attrs: { id: "worklist-title" } }), count]),
    el("div", { className: "worklist__controls" }, [scopeBox, hint]),
    body,
  ]);
  parent.append(root);

  const renderScopes = (): void => {
    root.dataset.scope = scope ?? "";
    scopeBox.replaceChildren(
      ...SCOPES.map((s) => {
        const b = el("button", {
          className: `seg__btn${s === scope ? " is-active" : ""}`,
          text: t(s === "mine" ? "casework.worklist.mine" : "casework.worklist.jurisdiction"),
          attrs: { type: "button", "aria-pressed": String(s === scope) },
          dataset: { scope: s },
        });
        b.addEventListener("click", () => {
          if (s !== scope) {
            scope = s;
            page = null;
            render();
            void load();
          }
        });
        return b;
      }),
    );
  };

  const render = (): void => {
    renderScopes();
    hint.textContent = t("casework.worklist.hint", { days: WORKLIST_DAYS });
    count.textContent = page === null ? "" : t("casework.worklist.overdue", { n: page.overdue });
    count.classList.toggle("is-zero", page !== null && page.overdue === 0);
    const failed = problem === null ? null : el("div", { className: "worklist__problem" });
    if (failed !== null) {
      const message = el("p", { className: "field__error" });
      showErrorText(message, describeError(problem), problem);
      const retry = el("button", { className: "btn btn--small", i18n: "action.retry", attrs: { type: "button" } });
      retry.addEventListener("click", () => void load());
      failed.append(message, retry);
    }
    if (page === null) {
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    const content =
      page.items.length === 0
        ? el("p", { className: "empty", i18n: scope === "mine" ? "casework.worklist.emptyMine" : "casework.worklist.empty" })
        : el("ol", { className: "worklist__list" }, page.items.map((item) => row(item, item.patient_id === selected, onSelect)));
    replaceChildren(body, [failed, content]);
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    problem = null;
    try {
      let answer = await getDue(scope ?? "mine");
      if (scope === null) {
        // First answer: "mine" when the user has anyone due, else the whole jurisdiction.
        scope = answer.items.length > 0 ? "mine" : "jurisdiction";
        if (scope === "jurisdiction") {
          answer = await getDue(scope);
        }
      }
      if (ticket !== asked) {
        return;
      }
      page = answer;
      for (const item of answer.items) {
        if (item.name !== null) {
          names.set(item.patient_id, item.name);
        }
      }
    } catch (err) {
      if (ticket !== asked) {
        return;
      }
      problem = err; // what was shown stays, under the error
    }
    render();
  }

  render();
  onLocaleChange(render);
  return {
    load,
    setSelected(patientId) {
      selected = patientId;
      for (const li of body.querySelectorAll<HTMLElement>("[data-patient-id]")) {
        const on = li.dataset.patientId === patientId;
        li.classList.toggle("is-selected", on);
        li.querySelector("button")?.setAttribute("aria-current", String(on));
      }
    },
    nameOf(patientId) {
      return names.get(patientId) ?? null;
    },
  };
}

type DueState = "overdue" | "today" | "upcoming";

function dueState(item: DueItem): DueState {
  return item.overdue ? "overdue" : item.days_overdue === 0 ? "today" : "upcoming";
}

function dueText(item: DueItem): string {
  switch (dueState(item)) {
    case "overdue":
      // past due by hours only: not yet a whole day, but counted in the header's "逾期 N"
      return item.days_overdue > 0 ? t("casework.due.overdue", { n: item.days_overdue }) : t("casework.due.pastToday");
    case "today":
      return t("casework.due.today");
    case "upcoming":
      return t("casework.due.left", { n: -item.days_overdue });
  }
}

function row(item: DueItem, isSelected: boolean, onSelect: (patientId: string) => void): HTMLElement {
  const state = dueState(item);
  const warning = item.warning;
  const button = el("button", { className: "work-row__btn", attrs: { type: "button", "aria-current": String(isSelected) } }, [
    el("span", { className: "work-row__top" }, [
      el("strong", { className: "work-row__name", text: item.name ?? t("casework.patient.nameHidden") }),
      gradeChip(item.risk_grade),
      warning === null
        ? null
        : el("span", {
            className: "warn-chip",
            text: t(warning.state === "acknowledged" ? "casework.warning.chipHandled" : "casework.warning.chip"),
            dataset: { level: warning.level, state: warning.state },
          }),
      item.on_my_team ? el("span", { className: "team-chip", i18n: "casework.worklist.onMyTeam" }) : null,
      el("span", { className: "due-chip", text: dueText(item), dataset: { state, level: warning?.level ?? "" } }),
    ]),
    el("span", { className: "work-row__address", text: item.address ?? "—" }),
    el("span", { className: "work-row__dates" }, [
      el("span", { text: t("casework.worklist.lastVisit", { date: item.last_follow_up_at === null ? t("casework.worklist.never") : formatDay(item.last_follow_up_at) }) }),
      el("span", { text: t("casework.worklist.dueAt", { date: formatDay(item.due_at) }) }),
    ]),
  ]);
  button.addEventListener("click", () => onSelect(item.patient_id));
  return el("li", { className: `work-row work-row--${state}${isSelected ? " is-selected" : ""}`, dataset: { patientId: item.patient_id, state } }, [button]);
}
