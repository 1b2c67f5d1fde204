/**
 * Issuing a work instruction (下发工作指示) to the units below: title, text, due date, and the
 * target units (every direct sub-unit, ticked by default; `GET /api/psych/units` of the level
 * below lists them). With every unit ticked the request names none, which the server reads as
 * "all of them". The id is made once per instruction and renewed after a success.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { fromLocalInput, toLocalInput } from "../shared/dates";
import { localName, onLocaleChange } from "../shared/i18n";
import type { InstructionCreate, InstructionCreated, PsychUnitLevel, UnitFigures } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { getUnitFigures, issueInstruction } from "./psych-api";

const DUE_IN_DAYS = 7;
const DUE_HOUR = 17;

function defaultDue(): string {
  const d = new Date();
  d.setDate(d.getDate() + DUE_IN_DAYS);
  d.setHours(DUE_HOUR, 0, 0, 0);
  return toLocalInput(d);
}

export function mountInstructionForm(parent: HTMLElement, subLevel: PsychUnitLevel, onIssued: (result: InstructionCreated) => void): void {
  let units: UnitFigures[] | null = null;
  let unitsProblem: unknown = null;
  const ticked = new Set<string>();

  const title = el("input", { className: "field__input", attrs: { id: "psych-instr-title", name: "title", type: "text", maxlength: "120", autocomplete: "off" } });
  const body = el("textarea", { className: "field__input", attrs: { id: "psych-instr-body", name: "body", rows: "4", maxlength: "4000" } });
  const due = el("input", { className: "field__input", attrs: { id: "psych-instr-due", name: "due_at", type: "datetime-local" } });
  const targetBox = el("div", { className: "targets" });
  const general = el("p", { className: "psych-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const lines = { title: errorLine(title.id), body: errorLine(body.id), due: errorLine(due.id), targets: errorLine("psych-instr-targets") };
  errors.add("title", lines.title, title);
  errors.add("body", lines.body, body);
  errors.add("due_at", lines.due, due);
  errors.add("targets", lines.targets, targetBox);
  const submit = el("button", { className: "btn btn--primary psych-form__submit", i18n: "psych.instruction.issue", attrs: { type: "submit" } });
  const form = el("form", { className: "psych-form instruction-form", attrs: { novalidate: "", "aria-labelledby": "psych-instr-form-title" } }, [
    el("h3", { className: "section-title", i18n: "psych.instruction.formTitle", attrs: { id: "psych-instr-form-title" } }),
    labelled(title.id, "psych.instruction.titleField", title, lines.title),
    labelled(body.id, "psych.instruction.body", body, lines.body),
    labelled(due.id, "psych.instruction.due", due, lines.due),
    el("fieldset", { className: "field psych-form__group" }, [el("legend", { className: "field__label", i18n: "psych.instruction.targets" }), targetBox, lines.targets]),
    general,
    el("div", { className: "psych-form__actions" }, [submit]),
  ]);
  parent.append(form);

  const drawTargets = (): void => {
    if (units === null) {
      const failed = unitsProblem === null ? null : el("p", { className: "field__error" });
      if (failed !== null) {
        showErrorText(failed, describeError(unitsProblem), unitsProblem);
      }
      replaceChildren(targetBox, [failed, el("p", { className: "field__hint", i18n: unitsProblem === null ? "state.loading" : "psych.instruction.toAll" })]);
      return;
    }
    if (units.length === 0) {
      replaceChildren(targetBox, [el("p", { className: "field__hint", i18n: "psych.instruction.noSubUnits" })]);
      return;
    }
    const all = el("input", { attrs: { type: "checkbox", id: "psych-instr-all" } });
    all.checked = ticked.size === units.length;
    all.indeterminate = ticked.size > 0 && ticked.size < units.length;
    all.addEventListener("change", () => {
      ticked.clear();
      if (all.checked) {
        for (const u of units ?? []) {
          ticked.add(u.org_path);
        }
      }
      drawTargets();
    });
    replaceChildren(targetBox, [
      el("label", { className: "check check--all" }, [all, el("span", { i18n: "psych.instruction.allUnits" })]),
      el(
        "div",
        { className: "targets__units" },
        units.map((u) => {
          const box = el("input", { attrs: { type: "checkbox", name: "targets", value: u.org_path } });
          box.checked = ticked.has(u.org_path);
          box.addEventListener("change", () => {
            if (box.checked) {
              ticked.add(u.org_path);
            } else {
              ticked.delete(u.org_path);
            }
            drawTargets();
          });
          return el("label", { className: "check", dataset: { path: u.org_path } }, [box, el("span", { text: localName(u) })]);
        }),
      ),
    ]);
  };

  const loadUnits = async (): Promise<void> => {
    try {
      units = (await getUnitFigures(subLevel)).units;
      unitsProblem = null;
      ticked.clear();
      for (const u of units) {
        ticked.add(u.org_path);
      }
    } catch (err) {
      unitsProblem = err; // the form still works: no targets named means all of them
    }
    drawTargets();
  };

  const reset = (): void => {
    title.value = "";
    body.value = "";
    due.value = defaultDue();
    if (units !== null) {
      ticked.clear();
      for (const u of units) {
        ticked.add(u.org_path);
      }
    }
    drawTargets();
  };

  const request = (id: string): InstructionCreate | null => {
    const when = fromLocalInput(due.value);
    const missing = [title.value.trim() === "" ? "title" : null, body.value.trim() === "" ? "body" : null, when === null ? "due_at" : null, units !== null && units.length > 0 && ticked.size === 0 ? "targets" : null].filter((x): x is string => x !== null);
    if (missing.length > 0 || when === null) {
      errors.required(missing);
      return null;
    }
    const instruction: InstructionCreate = { id, title: title.value.trim(), body: body.value.trim(), due_at: when };
    if (units !== null && ticked.size < units.length) {
      instruction.targets = units.map((u) => u.org_path).filter((p) => ticked.has(p));
    }
    return instruction;
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: issueInstruction,
    done: (result) => {
      reset();
      onIssued(result);
    },
    idTaken: { code: "instruction_id_taken" },
    staysOpen: true,
  });
  reset();
  void loadUnits();
  onLocaleChange(drawTargets);
}
