/**
 * A dispute's history as a timeline, oldest first: registered (its risk, the centre that holds
 * it and the deadline), each mediation, passed up from one centre to the next, handed down to a
 * unit with its deadline, the risk judged again, settled or referred — each with who and when,
 * and the notes for those who work disputes (others see that a step's notes are withheld). Items carry
 * `data-action-id`, `data-kind`, and `data-to-path` / `data-risk` / `data-outcome` when set.
 */

import { formatDay, formatDayTime } from "../shared/dates";
import { RISK_NAMES } from "../shared/dispute-terms";
import { el, replaceChildren } from "../shared/dom";
import { labelOf, t } from "../shared/i18n";
import type { DisputeActionView } from "../shared/types";
import { ACTIONS, OUTCOMES } from "./labels";
import type { UnitNames } from "./unit-names";

/** Draws the history into `target`. `write`: the user works disputes (notes are theirs to read). */
export function renderHistory(target: HTMLElement, actions: readonly DisputeActionView[], names: UnitNames, write: boolean): void {
  replaceChildren(target, [
    el("h3", { className: "section-title", text: t("disputes.history.title", { n: actions.length }) }),
    actions.length === 0 ? el("p", { className: "record__muted", i18n: "disputes.history.none" }) : el("ol", { className: "dispute-timeline" }, actions.map((a) => item(a, names, write))),
  ]);
}

/** What the step did, in a line. */
function whatText(a: DisputeActionView, names: UnitNames): string | null {
  const unit = (path: string | null): string => (path === null ? "—" : names.name(path));
  const due = formatDay(a.due_at);
  switch (a.kind) {
    case "registered":
      return t("disputes.history.registered", { risk: a.risk === null ? "—" : t(RISK_NAMES[a.risk]), unit: unit(a.to_path), due });
    case "escalated":
      return t("disputes.history.escalated", { from: unit(a.from_path), to: unit(a.to_path), due });
    case "assigned":
      return t("disputes.history.assigned", { from: unit(a.from_path), to: unit(a.to_path), due });
    case "risk":
      return t("disputes.history.risk", { risk: a.risk === null ? "—" : t(RISK_NAMES[a.risk]), due });
    case "resolved":
    case "referred":
      return a.outcome === null ? null : labelOf(OUTCOMES, a.outcome);
    case "mediation":
      return null;
  }
}

function item(a: DisputeActionView, names: UnitNames, write: boolean): HTMLElement {
  const what = whatText(a, names);
  // notes are the step's own words; the escalation's reason is its notes
  const notes = a.notes ?? (write || a.kind === "registered" ? null : t("disputes.history.notesHidden"));
  const dataset: Record<string, string> = { actionId: a.id, kind: a.kind };
  if (a.to_path !== null) {
    dataset.toPath = a.to_path;
  }
  if (a.risk !== null) {
    dataset.risk = a.risk;
  }
  if (a.outcome !== null) {
    dataset.outcome = a.outcome;
  }
  return el("li", { className: `dispute-step dispute-step--${a.kind}`, dataset }, [
    el("div", { className: "dispute-step__top" }, [
      el("strong", { className: "dispute-step__kind", text: labelOf(ACTIONS, a.kind) }),
      el("time", { className: "check-item__time", text: formatDayTime(a.at), attrs: { datetime: a.at } }),
      el("span", { className: "check-item__by", text: t("disputes.history.by", { name: a.by_name }) }),
    ]),
    what === null ? null : el("p", { className: "dispute-step__what", text: what }),
    notes === null ? null : el("p", { className: `check-item__notes${a.notes === null ? " is-hidden" : ""}`, text: notes }),
  ]);
}
