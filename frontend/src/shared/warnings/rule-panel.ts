/**
 * A page's panel of the live warnings of one rule, as the shared warning cards: level, finding,
 * unit, raised time; "take in hand" asks for a note; a click opens the subject. What resolves a
 * warning happens on the server (a crisis intervention, a check), and the panel then fetches
 * again. A role that may not read warnings (403) gets no panel; its lists still mark them.
 * Used by the psych page (crises, about a person), the ledger page (overdue checks, about an
 * entry, shown for the chosen group) and the rental page (overdue inspections, about a house, and
 * overdue rectifications, about a hazard of a house: one panel each).
 */

import { el, replaceChildren } from "../dom";
import { describeError, showErrorText } from "../error-text";
import { ApiError } from "../http";
import { onLocaleChange, t, type MessageKey } from "../i18n";
import type { WarningNote, WarningRule, WarningView } from "../types";
import { takeWarningInHand, unitOf, warningCard } from "./warning-card";
import { getWarnings } from "./warnings-api";

export interface RulePanel {
  /** Fetches; call it after the page's list, so the cards know the subjects' names. */
  load(): Promise<void>;
  /** Draws again (the list now knows other names, or another group is chosen). */
  redraw(): void;
  /** The live warning about a subject, else null. */
  warningOf(subjectId: string): WarningNote | null;
}

export interface RulePanelOptions {
  rule: WarningRule;
  /** The page's class for the panel (`crisis`, `ledger-warnings`) and the title's element id. */
  className: string;
  titleId: string;
  title: MessageKey;
  /** "{n} · serious {serious}" */
  countText: MessageKey;
  none: MessageKey;
  limit: number;
  /** Which of the fetched warnings to show (all: none given). */
  shows?(w: WarningView): boolean;
  /** Offer "take in hand". */
  take: boolean;
  /** The name the page's list knows for the subject (warnings name subjects by id only). */
  nameOf(subjectId: string, w: WarningView): string | null;
  /** Opens the subject (`w` for a page that opens something its details name, e.g. a hazard's house). */
  onSelect(subjectId: string, w: WarningView): void;
  onChanged(): void;
  now(): number;
}

/** Mounts the panel in `parent`. */
export function mountRulePanel(parent: HTMLElement, options: RulePanelOptions): RulePanel {
  let items: WarningView[] | null = null;
  let problem: unknown = null;
  let asked = 0;

  const count = el("span", { className: "rule-panel__count" });
  const body = el("div", { className: "rule-panel__body" });
  const root = el("section", { className: `panel rule-panel ${options.className}`, attrs: { "aria-labelledby": options.titleId } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: options.title, attrs: { id: options.titleId } }), count]),
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
      replaceChildren(body, [failed ?? el("p", { className: "rule-panel__empty", i18n: "state.loading" })]);
      return;
    }
    const shown = options.shows === undefined ? items : items.filter(options.shows);
    const serious = shown.filter((w) => w.level === "serious").length;
    count.textContent = t(options.countText, { n: shown.length, serious });
    count.classList.toggle("is-alarm", serious > 0);
    count.classList.toggle("is-zero", shown.length === 0);
    root.dataset.count = String(shown.length);
    const content = shown.length === 0 ? el("p", { className: "rule-panel__empty", i18n: options.none }) : el("ol", { className: "rule-panel__list" }, shown.map(card));
    replaceChildren(body, [failed, content]);
  };

  const card = (w: WarningView): HTMLElement => {
    const name = options.nameOf(w.subject_id, w);
    return warningCard(w, {
      now: options.now(),
      name,
      onOpen: () => options.onSelect(w.subject_id, w),
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
      const page = await getWarnings("live", options.limit, options.rule);
      if (ticket === asked) {
        items = page.items.filter((w) => w.rule === options.rule);
        problem = null;
      }
    } catch (err) {
      if (ticket === asked) {
        problem = err;
        if (err instanceof ApiError && err.status === 403) {
          root.hidden = true;
        }
      }
    }
    if (ticket === asked) {
      render();
    }
  }

  render();
  onLocaleChange(render);
  return {
    load,
    redraw: render,
    warningOf(subjectId) {
      const w = items?.find((x) => x.subject_id === subjectId && x.state !== "resolved");
      return w === undefined ? null : { id: w.id, rule: w.rule, level: w.level, state: w.state, raised_at: w.raised_at };
    },
  };
}
