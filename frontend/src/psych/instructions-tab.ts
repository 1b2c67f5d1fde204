/**
 * Work instructions (工作指示): those received by the user's unit, each with its answer form
 * (反馈: what was done, and whether it is finished), and those the unit issued to the units
 * below, each target with its state and answer, above the form to issue a new one (street and
 * district centres only: a community has no units below). Cards carry `data-instruction-id`
 * and `data-state` (the user's unit's, on received ones); target rows `data-path`, `data-state`.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { formatDayTime } from "../shared/dates";
import { labelOf, localName, onLocaleChange, t } from "../shared/i18n";
import type { InstructionPage, InstructionView, Me, TargetState } from "../shared/types";
import { showToast } from "../shared/ui/toast";
import type { Access } from "./access";
import { errorLine, FieldErrors, setBusy } from "../shared/ui/form-kit";
import { mountInstructionForm } from "./instruction-form";
import { TARGET_STATES } from "./labels";
import { answerInstruction, getInstructions } from "./psych-api";
import type { Tab } from "../shared/ui/tabs";

export function mountInstructionsTab(parent: HTMLElement, me: Me, access: Access): Tab {
  let page: InstructionPage | null = null;
  let problem: unknown = null;
  let asked = 0;
  // Answers being typed, by instruction id: a re-fetch redraws the cards, not the words.
  const drafts = new Map<string, { text: string; done: boolean }>();

  const received = el("div", { className: "instructions__received" });
  const issued = el("div", { className: "instructions__issued" });
  const formHost = el("div", { className: "instructions__form" });
  const failedBox = el("div", { className: "instructions__problem" });
  const root = el("section", { className: "panel instructions", attrs: { "aria-labelledby": "psych-instructions-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "psych.instructions.title", attrs: { id: "psych-instructions-title" } })]),
    failedBox,
    el("div", { className: "instructions__body" }, [received, el("div", { className: "instructions__out" }, [formHost, issued])]),
  ]);
  parent.append(root);
  if (access.canIssue && access.subLevel !== null) {
    mountInstructionForm(formHost, access.subLevel, (result) => {
      showToast(t(result.duplicate ? "psych.instruction.duplicate" : "psych.instruction.issued"));
      void load();
    });
  }

  const render = (): void => {
    replaceChildren(failedBox, []);
    if (problem !== null) {
      const message = el("p", { className: "field__error" });
      showErrorText(message, describeError(problem), problem);
      failedBox.append(message);
    }
    if (page === null) {
      replaceChildren(received, [problem === null ? el("p", { className: "empty", i18n: "state.loading" }) : null]);
      replaceChildren(issued, []);
      return;
    }
    const mine = me.org_unit.path;
    // A district centre receives nothing; say so only where something could come.
    replaceChildren(received, [
      el("h3", { className: "section-title", text: t("psych.instructions.received", { n: page.received.length }) }),
      page.received.length === 0
        ? el("p", { className: "empty", i18n: "psych.instructions.noneReceived" })
        : el("ol", { className: "instruction-list" }, page.received.map((i) => receivedCard(i, mine))),
    ]);
    issued.hidden = !access.canIssue && page.issued.length === 0;
    replaceChildren(issued, [
      el("h3", { className: "section-title", text: t("psych.instructions.issued", { n: page.issued.length }) }),
      page.issued.length === 0 ? el("p", { className: "empty", i18n: "psych.instructions.noneIssued" }) : el("ol", { className: "instruction-list" }, page.issued.map(issuedCard)),
    ]);
  };

  const receivedCard = (i: InstructionView, mine: string): HTMLElement => {
    const own = i.targets.find((x) => x.org_path === mine) ?? null;
    const state = own?.state ?? "open";
    return el("li", { className: `instruction${i.overdue && state === "open" ? " is-overdue" : ""}`, dataset: { instructionId: i.id, state } }, [
      ...heading(i),
      own !== null && own.state === "done" ? answerLine(own) : null,
      access.record && own !== null && own.state === "open" ? feedbackForm(i) : null,
    ]);
  };

  const feedbackForm = (i: InstructionView): HTMLElement => {
    const draft = drafts.get(i.id) ?? { text: "", done: true };
    const fieldId = `psych-feedback-${i.id}`;
    const text = el("textarea", { className: "field__input", attrs: { id: fieldId, name: "feedback", rows: "2", maxlength: "2000", placeholder: t("psych.instruction.feedbackPlaceholder") } });
    text.value = draft.text;
    const done = el("input", { attrs: { type: "checkbox", name: "done", id: `${fieldId}-done` } });
    done.checked = draft.done;
    const remember = (): void => {
      drafts.set(i.id, { text: text.value, done: done.checked });
    };
    text.addEventListener("input", remember);
    done.addEventListener("change", remember);
    const general = el("p", { className: "psych-form__error", attrs: { role: "alert" } });
    const errors = new FieldErrors(general);
    const line = errorLine(fieldId);
    errors.add("feedback", line, text);
    const submit = el("button", { className: "btn btn--primary btn--small feedback__submit", i18n: "psych.instruction.answer", attrs: { type: "submit" } });
    const form = el("form", { className: "feedback", attrs: { novalidate: "" } }, [
      el("label", { className: "field__label", i18n: "psych.instruction.feedback", attrs: { for: fieldId } }),
      text,
      line,
      el("div", { className: "feedback__row" }, [el("label", { className: "check" }, [done, el("span", { i18n: "psych.instruction.finished" })]), submit]),
      general,
    ]);
    let busy = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (busy) {
        return;
      }
      errors.clear();
      if (text.value.trim() === "") {
        errors.required(["feedback"]);
        return;
      }
      busy = true;
      setBusy(form, submit, true);
      answerInstruction(i.id, { feedback: text.value.trim(), done: done.checked })
        .then(() => {
          drafts.delete(i.id);
          showToast(t("psych.instruction.answered"));
          void load();
        })
        .catch((err: unknown) => errors.showRefusal(err))
        .finally(() => {
          busy = false;
          setBusy(form, submit, false);
        });
    });
    return form;
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await getInstructions();
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

  render();
  onLocaleChange(render);
  return { root, load };
}

function heading(i: InstructionView): HTMLElement[] {
  return [
    el("div", { className: "instruction__top" }, [
      el("strong", { className: "instruction__title", text: i.title }),
      el("span", { className: `due-chip${i.overdue ? " is-overdue" : ""}`, text: t(i.overdue ? "psych.instruction.overdue" : "psych.instruction.dueAt", { time: formatDayTime(i.due_at) }), dataset: { overdue: String(i.overdue) } }),
    ]),
    el("p", { className: "instruction__from", text: t("psych.instruction.from", { unit: localName({ name_zh: i.from_name_zh, name_en: i.from_name_en }), name: i.by_name, time: formatDayTime(i.created_at) }) }),
    el("p", { className: "instruction__body", text: i.body }),
  ];
}

function answerLine(target: TargetState): HTMLElement {
  return el("p", { className: "instruction__answer", text: t("psych.instruction.answerBy", { name: target.answered_by_name ?? "—", time: formatDayTime(target.answered_at), feedback: target.feedback ?? "" }) });
}

function issuedCard(i: InstructionView): HTMLElement {
  return el("li", { className: `instruction instruction--issued${i.overdue ? " is-overdue" : ""}`, dataset: { instructionId: i.id, done: String(i.done), targets: String(i.targets.length) } }, [
    ...heading(i),
    el("p", { className: "instruction__progress", text: t("psych.instruction.progress", { done: i.done, n: i.targets.length }) }),
    el(
      "ul",
      { className: "targets-state" },
      i.targets.map((x) =>
        el("li", { className: "target", dataset: { path: x.org_path, state: x.state } }, [
          el("span", { className: "target__name", text: localName(x) }),
          el("span", { className: "state-chip", text: labelOf(TARGET_STATES, x.state), dataset: { state: x.state } }),
          x.feedback === null ? null : el("span", { className: "target__feedback", text: t("psych.instruction.feedbackBy", { feedback: x.feedback, name: x.answered_by_name ?? "—", time: formatDayTime(x.answered_at) }) }),
        ]),
      ),
    ),
  ]);
}
