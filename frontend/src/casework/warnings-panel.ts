/**
 * The live early warnings (预警) of the jurisdiction: level, unit, how late the follow-up is,
 * when it was raised; "take it in hand" asks for a note and acknowledges; an acknowledged one
 * says who took it and how. Clicking a warning opens its patient. Cards carry
 * `data-warning-id`, `data-patient-id`, `data-state` and `data-level`.
 */

import { openFormDialog } from "../shared/ui/form-dialog";
import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange, t } from "../shared/i18n";
import type { WarningPage, WarningView } from "../shared/types";
import { acknowledgeWarning, getLiveWarnings } from "./casework-api";
import { daysOverdue, formatDay, formatDayTime } from "./dates";
import { labelOf, WARNING_LEVELS, WARNING_RULES } from "./labels";
import { showToast } from "./toast";

export interface WarningsPanel {
  load(): Promise<void>;
}

export interface WarningsOptions {
  onSelect(patientId: string): void;
  /** A warning was taken in hand (the worklist shows it). */
  onAcknowledged(): void;
  /** The name the worklist knows for the patient, if any (warnings name subjects by id only). */
  nameOf(patientId: string): string | null;
  now(): number;
}

export function mountWarnings(parent: HTMLElement, options: WarningsOptions): WarningsPanel {
  let page: WarningPage | null = null;
  let problem: unknown = null;
  let asked = 0;

  const totals = el("span", { className: "warnings__totals" });
  const body = el("div", { className: "warnings__body" });
  const root = el("section", { className: "panel warnings", attrs: { "aria-labelledby": "warnings-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "casework.warnings.title", attrs: { id: "warnings-title" } }), totals]),
    body,
  ]);
  parent.append(root);

  const render = (): void => {
    const failed = problem === null ? null : el("p", { className: "field__error" });
    if (failed !== null) {
      showErrorText(failed, describeError(problem), problem);
    }
    if (page === null) {
      totals.textContent = "";
      replaceChildren(body, [failed ?? el("p", { className: "warnings__empty", i18n: "state.loading" })]);
      return;
    }
    totals.textContent = t("casework.warnings.totals", { open: page.open, acknowledged: page.acknowledged, serious: page.serious });
    root.dataset.count = String(page.items.length);
    const content = page.items.length === 0 ? el("p", { className: "warnings__empty", i18n: "casework.warnings.none" }) : el("ol", { className: "warnings__list" }, page.items.map(card));
    replaceChildren(body, [failed, content]);
  };

  const card = (w: WarningView): HTMLElement => {
    const name = w.subject_type === "patient" ? options.nameOf(w.subject_id) : null;
    const open = el("button", { className: "warning-card__open", attrs: { type: "button" } }, [
      el("span", { className: "warning-card__top" }, [
        el("span", { className: "warning-card__level", text: labelOf(WARNING_LEVELS, w.level) }),
        el("strong", { className: "warning-card__rule", text: labelOf(WARNING_RULES, w.rule) }),
        finding(w, options.now()),
      ]),
      el("span", { className: "warning-card__where", text: [name, w.org_name ?? w.org_path].filter((x) => x !== null).join(" · ") }),
      el("span", { className: "warning-card__time", text: t("casework.warnings.raisedAt", { time: formatDayTime(w.raised_at) }) }),
    ]);
    if (w.subject_type === "patient") {
      open.addEventListener("click", () => options.onSelect(w.subject_id));
    } else {
      open.disabled = true; // an address (repeat calls): no one record to open
    }
    let action: HTMLElement;
    if (w.state === "open") {
      const take = el("button", { className: "btn btn--small btn--primary", i18n: "casework.warnings.take", attrs: { type: "button" } });
      take.addEventListener("click", () => void takeInHand(w, name));
      action = take;
    } else {
      action = el("p", {
        className: "warning-card__handled",
        text: t("casework.warnings.handledBy", { name: w.acknowledged_by_name ?? "—", note: w.ack_note ?? "" }),
      });
    }
    return el("li", { className: "warning-card", dataset: { warningId: String(w.id), patientId: w.subject_id, state: w.state, level: w.level } }, [open, action]);
  };

  const takeInHand = async (w: WarningView, name: string | null): Promise<void> => {
    const done = await openFormDialog({
      title: t("casework.ack.title"),
      subtitle: [name, w.org_name, labelOf(WARNING_LEVELS, w.level)].filter((x): x is string => x !== null && x !== "").join(" · "),
      fields: [{ name: "note", label: "casework.ack.note", kind: "textarea", placeholder: "casework.ack.placeholder" }],
      submit: "casework.ack.submit",
      async onSubmit(values) {
        await acknowledgeWarning(w.id, values.note ?? "");
      },
    });
    if (done) {
      showToast(t("casework.ack.done"));
      options.onAcknowledged();
    }
    await load(); // also after a 409 (someone was faster): the card then says who
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await getLiveWarnings();
      if (ticket === asked) {
        page = answer;
        problem = null;
      }
    } catch (err) {
      if (ticket === asked) {
        problem = err; // what was shown stays, under the error
      }
    }
    if (ticket === asked) {
      render();
    }
  }

  render();
  onLocaleChange(render);
  return { load };
}

/** What the rule found, in a few words: how late the visit is, or how many calls came. */
function finding(w: WarningView, now: number): HTMLElement | null {
  if (w.rule === "follow_up_overdue" && typeof w.details.due_at === "string") {
    const late = daysOverdue(w.details.due_at, now);
    return late === null || late <= 0 ? null : el("span", { className: "warning-card__finding", text: t("casework.due.overdue", { n: late }) });
  }
  if (w.rule === "repeat_calls" && typeof w.details.calls === "number") {
    const last = typeof w.details.last_at === "string" ? formatDay(w.details.last_at) : "—";
    return el("span", { className: "warning-card__finding", text: t("casework.warnings.calls", { n: w.details.calls, date: last }) });
  }
  return null;
}
