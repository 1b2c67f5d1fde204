/**
 * The live early warnings (预警) of the jurisdiction: level, unit, how late the follow-up is,
 * when it was raised; "take it in hand" asks for a note and acknowledges; an acknowledged one
 * says who took it and how. Clicking a warning opens its patient. The cards are the shared ones
 * (`shared/warnings/warning-card.ts`, with `data-warning-id`, `data-patient-id`, `data-state`,
 * `data-level`), here with the patient's name when the worklist knows it.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange, t } from "../shared/i18n";
import type { WarningPage, WarningView } from "../shared/types";
import { takeWarningInHand, unitOf, warningCard } from "../shared/warnings/warning-card";
import { getWarnings } from "../shared/warnings/warnings-api";

/** The live warnings shown (serious first, then newest). */
const LIVE_LIMIT = 100;

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
    return warningCard(w, {
      now: options.now(),
      name,
      // an address (repeat calls) has no one record to open
      onOpen: w.subject_type === "patient" ? () => options.onSelect(w.subject_id) : null,
      onTake: () => void takeInHand(w, name),
    });
  };

  const takeInHand = async (w: WarningView, name: string | null): Promise<void> => {
    if (await takeWarningInHand(w, [name, unitOf(w)])) {
      options.onAcknowledged();
    }
    await load(); // also after a 409 (someone was faster): the card then says who
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await getWarnings("live", LIVE_LIMIT);
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
