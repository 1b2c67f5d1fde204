/**
 * The live overdue-check warnings (台账核查逾期) of the jurisdiction in the chosen group, as the
 * shared warning cards (`shared/warnings/warning-card.ts`, here with `data-entry-id`): level, the
 * group and the days late, unit, raised time; "take in hand" asks for a note (for those who keep
 * the ledger). A click opens the entry. A check or closing resolves the warning on the server;
 * the panel then fetches again and it is gone.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { ApiError } from "../shared/http";
import { onLocaleChange, t } from "../shared/i18n";
import type { LedgerGroup, WarningView } from "../shared/types";
import { takeWarningInHand, unitOf, warningCard } from "../shared/warnings/warning-card";
import { getWarnings } from "../shared/warnings/warnings-api";

const LIVE_LIMIT = 200;
const RULE = "ledger_check_overdue";

export interface LedgerWarnings {
  load(): Promise<void>;
  /** Draws again (the list now knows other names). */
  redraw(): void;
}

export interface LedgerWarningsOptions {
  group(): LedgerGroup | null;
  onSelect(entryId: string): void;
  /** The name the list shows for the entry's person (warnings name entries by id only). */
  nameOf(entryId: string): string | null;
  /** Offer "take in hand". */
  take: boolean;
  onChanged(): void;
  now(): number;
}

/** Mounts the warnings panel in `parent`; `load()` fetches, after the list so names are known. */
export function mountLedgerWarnings(parent: HTMLElement, options: LedgerWarningsOptions): LedgerWarnings {
  let items: WarningView[] | null = null;
  let problem: unknown = null;
  let asked = 0;

  const count = el("span", { className: "lwarn__count" });
  const body = el("div", { className: "lwarn__body" });
  const root = el("section", { className: "panel ledger-warnings", attrs: { "aria-labelledby": "ledgers-warnings-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "ledgers.warnings.title", attrs: { id: "ledgers-warnings-title" } }), count]),
    body,
  ]);
  parent.append(root);

  const render = (): void => {
    const failed = problem === null ? null : el("p", { className: "field__error" });
    if (failed !== null) {
      showErrorText(failed, describeError(problem), problem);
    }
    if (items === null) {
      count.textContent = "";
      replaceChildren(body, [failed ?? el("p", { className: "lwarn__empty", i18n: "state.loading" })]);
      return;
    }
    const group = options.group();
    const shown = group === null ? items : items.filter((w) => w.details.group === group);
    const serious = shown.filter((w) => w.level === "serious").length;
    count.textContent = t("ledgers.warnings.count", { n: shown.length, serious });
    count.classList.toggle("is-alarm", serious > 0);
    count.classList.toggle("is-zero", shown.length === 0);
    root.dataset.count = String(shown.length);
    const content = shown.length === 0 ? el("p", { className: "lwarn__empty", i18n: "ledgers.warnings.none" }) : el("ol", { className: "lwarn__list" }, shown.map(card));
    replaceChildren(body, [failed, content]);
  };

  const card = (w: WarningView): HTMLElement => {
    const name = options.nameOf(w.subject_id);
    return warningCard(w, {
      now: options.now(),
      name,
      onOpen: () => options.onSelect(w.subject_id),
      ...(options.take ? { onTake: () => void takeInHand(w, name) } : {}),
    });
  };

  const takeInHand = async (w: WarningView, name: string | null): Promise<void> => {
    if (await takeWarningInHand(w, [name, unitOf(w)])) {
      options.onChanged();
    }
    await load();
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const page = await getWarnings("live", LIVE_LIMIT, RULE);
      if (ticket === asked) {
        items = page.items.filter((w) => w.rule === RULE);
        problem = null;
      }
    } catch (err) {
      if (ticket === asked) {
        problem = err;
        if (err instanceof ApiError && err.status === 403) {
          root.hidden = true; // the role may not read warnings: the rows still carry them
        }
      }
    }
    if (ticket === asked) {
      render();
    }
  }

  render();
  onLocaleChange(render);
  return { load, redraw: render };
}
