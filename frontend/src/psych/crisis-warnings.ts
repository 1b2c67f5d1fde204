/**
 * The live psychological-crisis warnings (心理危机预警) of the jurisdiction, as the shared
 * warning cards (`shared/warnings/warning-card.ts`, here with `data-person-id`): level, what the
 * assessment found (scale, band, self-harm), unit, raised time; "take in hand" asks for a note.
 * A click opens the person. A crisis intervention recorded for the person resolves the warning
 * on the server; the panel then fetches again and it is gone.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { ApiError } from "../shared/http";
import { onLocaleChange, t } from "../shared/i18n";
import type { WarningNote, WarningView } from "../shared/types";
import { takeWarningInHand, unitOf, warningCard } from "../shared/warnings/warning-card";
import { getWarnings } from "../shared/warnings/warnings-api";

const LIVE_LIMIT = 100;

export interface CrisisWarnings {
  load(): Promise<void>;
  /** The live crisis warning about a person, else null. */
  warningOf(personId: string): WarningNote | null;
}

export interface CrisisWarningsOptions {
  onSelect(personId: string): void;
  /** The name the attention list knows for the person (warnings name subjects by id only). */
  nameOf(personId: string): string | null;
  onChanged(): void;
  now(): number;
}

export function mountCrisisWarnings(parent: HTMLElement, options: CrisisWarningsOptions): CrisisWarnings {
  let items: WarningView[] | null = null;
  let problem: unknown = null;
  let asked = 0;

  const count = el("span", { className: "crisis__count" });
  const body = el("div", { className: "crisis__body" });
  const root = el("section", { className: "panel crisis", attrs: { "aria-labelledby": "psych-crisis-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "psych.crisis.title", attrs: { id: "psych-crisis-title" } }), count]),
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
      replaceChildren(body, [failed ?? el("p", { className: "crisis__empty", i18n: "state.loading" })]);
      return;
    }
    const serious = items.filter((w) => w.level === "serious").length;
    count.textContent = t("psych.crisis.count", { n: items.length, serious });
    count.classList.toggle("is-alarm", serious > 0);
    root.dataset.count = String(items.length);
    const content = items.length === 0 ? el("p", { className: "crisis__empty", i18n: "psych.crisis.none" }) : el("ol", { className: "crisis__list" }, items.map(card));
    replaceChildren(body, [failed, content]);
  };

  const card = (w: WarningView): HTMLElement => {
    const name = options.nameOf(w.subject_id);
    return warningCard(w, {
      now: options.now(),
      name,
      onOpen: () => options.onSelect(w.subject_id),
      onTake: () => void takeInHand(w, name),
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
      const page = await getWarnings("live", LIVE_LIMIT, "psych_crisis");
      if (ticket === asked) {
        items = page.items.filter((w) => w.rule === "psych_crisis");
        problem = null;
      }
    } catch (err) {
      if (ticket === asked) {
        problem = err;
        if (err instanceof ApiError && err.status === 403) {
          root.hidden = true; // the role may not read warnings: the attention list still marks them
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
    warningOf(personId) {
      const w = items?.find((x) => x.subject_id === personId && x.state !== "resolved");
      return w === undefined ? null : { id: w.id, rule: w.rule, level: w.level, state: w.state, raised_at: w.raised_at };
    },
  };
}
