/**
 * The attention list (待跟进): people whose latest assessment is moderate or worse, or found
 * thoughts of self-harm, with no session since. Self-harm first and loud, then the highest
 * totals. Rows carry `data-person-id`, `data-self-harm` and `data-band`; a click opens the person.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { BAND_NAMES, SCALE_NAMES } from "../shared/psych-terms";
import { formatDay, formatDayTime } from "../shared/dates";
import type { AttentionItem, AttentionPage, WarningNote } from "../shared/types";
import { WARNING_LEVELS } from "../shared/warnings/labels";
import { personName } from "../shared/person-text";
import { getAttention } from "./psych-api";

export interface AttentionList {
  load(): Promise<void>;
  setSelected(personId: string | null): void;
  /** The name the list shows for a person it holds, else null. */
  nameOf(personId: string): string | null;
  /** The live crisis warning the list knows for a person, else null. */
  warningOf(personId: string): WarningNote | null;
}

export function mountAttentionList(parent: HTMLElement, onSelect: (personId: string) => void): AttentionList {
  let page: AttentionPage | null = null;
  let problem: unknown = null;
  let selected: string | null = null;
  let asked = 0;

  const count = el("span", { className: "attention__count" });
  const body = el("div", { className: "attention__body" });
  const root = el("section", { className: "panel attention", attrs: { "aria-labelledby": "psych-attention-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "psych.attention.title", attrs: { id: "psych-attention-title" } }), count]),
    el("p", { className: "attention__hint", i18n: "psych.attention.hint" }),
    body,
  ]);
  parent.append(root);

  const render = (): void => {
    const failed = problem === null ? null : el("div", { className: "psych-problem" });
    if (failed !== null) {
      const message = el("p", { className: "field__error" });
      showErrorText(message, describeError(problem), problem);
      const retry = el("button", { className: "btn btn--small", i18n: "action.retry", attrs: { type: "button" } });
      retry.addEventListener("click", () => void load());
      failed.append(message, retry);
    }
    if (page === null) {
      count.textContent = "";
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    count.textContent = String(page.total);
    count.classList.toggle("is-zero", page.total === 0);
    root.dataset.count = String(page.items.length);
    const content =
      page.items.length === 0
        ? el("p", { className: "empty", i18n: "psych.attention.none" })
        : el("ol", { className: "attention__list" }, page.items.map((item) => row(item, item.person_id === selected, onSelect)));
    replaceChildren(body, [failed, content]);
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await getAttention();
      if (ticket !== asked) {
        return;
      }
      page = answer;
      problem = null;
    } catch (err) {
      if (ticket !== asked) {
        return;
      }
      problem = err;
    }
    render();
  }

  const find = (personId: string): AttentionItem | undefined => page?.items.find((i) => i.person_id === personId);

  render();
  onLocaleChange(render);
  return {
    load,
    setSelected(personId) {
      selected = personId;
      for (const li of body.querySelectorAll<HTMLElement>("[data-person-id]")) {
        const on = li.dataset.personId === personId;
        li.classList.toggle("is-selected", on);
        li.querySelector("button")?.setAttribute("aria-current", String(on));
      }
    },
    nameOf: (personId) => find(personId)?.name ?? null,
    warningOf: (personId) => find(personId)?.warning ?? null,
  };
}

function row(item: AttentionItem, isSelected: boolean, onSelect: (personId: string) => void): HTMLElement {
  const warning = item.warning;
  const button = el("button", { className: "attention-row__btn", attrs: { type: "button", "aria-current": String(isSelected) } }, [
    el("span", { className: "attention-row__top" }, [
      el("strong", { className: "attention-row__name", text: personName(item) }),
      item.self_harm ? el("span", { className: "self-harm-chip", i18n: "psych.selfHarm" }) : null,
      el("span", { className: "band-chip", text: labelOf(BAND_NAMES, item.band), dataset: { band: item.band } }),
      warning === null
        ? null
        : el("span", { className: "crisis-chip", text: t("psych.attention.warning", { level: labelOf(WARNING_LEVELS, warning.level) }), dataset: { level: warning.level, state: warning.state } }),
    ]),
    el("span", { className: "attention-row__result", text: t("psych.attention.result", { scale: labelOf(SCALE_NAMES, item.scale), score: item.score, time: formatDayTime(item.assessed_at) }) }),
    el("span", { className: "attention-row__last", text: item.last_service_at === null ? t("psych.attention.noService") : t("psych.attention.lastService", { date: formatDay(item.last_service_at) }) }),
  ]);
  button.addEventListener("click", () => onSelect(item.person_id));
  return el("li", { className: `attention-row${item.self_harm ? " attention-row--self-harm" : ""}${isSelected ? " is-selected" : ""}`, dataset: { personId: item.person_id, selfHarm: String(item.self_harm), band: item.band } }, [button]);
}
