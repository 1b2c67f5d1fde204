/**
 * Filling in a screening scale (心理测评): PHQ-9 or GAD-7, one row of four answers (0–3) per
 * item, the total and band counted while filling in, and a loud notice as soon as PHQ-9's
 * ninth item (thoughts of death or self-harm) is answered above 0.
 *
 * The assessment id is made once when the form opens and goes with every retry (a double click,
 * a resend after a lost answer), so it is stored once; the form closes after a success. A
 * refusal is shown at the item or field the server names (`answers[3]`, `answers`, `at`).
 */

import { el, replaceChildren } from "../shared/dom";
import { fromLocalInput, toLocalInput } from "../shared/dates";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { BAND_NAMES, SCALE_NAMES } from "../shared/psych-terms";
import type { AssessmentCreate, AssessmentRecorded, PsychScale } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { recordAssessment } from "./psych-api";
import { ANSWERS, ITEMS, SELF_HARM_ITEM, tally } from "./scales";

export interface AssessmentFormOptions {
  personId: string;
  onRecorded(result: AssessmentRecorded): void;
  onCancel(): void;
}

const SCALES: readonly PsychScale[] = ["phq9", "gad7"];

export function mountAssessmentForm(parent: HTMLElement, options: AssessmentFormOptions): HTMLElement {
  let scale: PsychScale = "phq9";
  let answers: (number | null)[] = [];

  const scaleRadios = SCALES.map((s) => {
    const input = el("input", { attrs: { type: "radio", name: "scale", value: s, id: `psych-scale-${s}` } });
    input.checked = s === scale;
    input.addEventListener("change", () => {
      if (input.checked) {
        scale = s;
        drawItems();
      }
    });
    return el("label", { className: "radio" }, [input, el("span", { i18n: SCALE_NAMES[s] })]);
  });
  const at = el("input", { className: "field__input", attrs: { id: "psych-assess-at", name: "at", type: "datetime-local", required: "" } });
  at.value = toLocalInput(new Date());
  const items = el("ol", { className: "scale-items" });
  const tallyLine = el("p", { className: "assessment-tally", attrs: { "aria-live": "polite" } });
  const selfHarm = el("div", { className: "self-harm-notice", attrs: { role: "alert" } }, [
    el("strong", { className: "self-harm-notice__title", i18n: "psych.assess.selfHarmTitle" }),
    el("p", { i18n: "psych.assess.selfHarmBody" }),
  ]);
  const general = el("p", { className: "psych-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const scaleError = errorLine("psych-scale");
  const answersError = errorLine("psych-answers");
  const atError = errorLine("psych-assess-at");
  errors.add("scale", scaleError, scaleRadios[0]?.querySelector("input") ?? null);
  errors.add("at", atError, at);
  errors.add("answers", answersError, null);

  const submit = el("button", { className: "btn btn--primary psych-form__submit", i18n: "psych.assess.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: "psych-form assessment-form", attrs: { novalidate: "", "aria-labelledby": "psych-assess-title" } }, [
    el("h3", { className: "section-title", i18n: "psych.assess.title", attrs: { id: "psych-assess-title" } }),
    el("div", { className: "psych-form__row" }, [
      el("fieldset", { className: "field psych-form__group" }, [el("legend", { className: "field__label", i18n: "psych.assess.scale" }), el("div", { className: "radio-row" }, scaleRadios), scaleError]),
      labelled("psych-assess-at", "psych.form.at", at, atError),
    ]),
    el("p", { className: "scale-stem", i18n: "psych.assess.stem" }),
    items,
    answersError,
    tallyLine,
    selfHarm,
    general,
    el("div", { className: "psych-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  function drawItems(): void {
    answers = ITEMS[scale].map(() => null);
    errors.clear();
    replaceChildren(
      items,
      ITEMS[scale].map((key, i) => {
        const error = errorLine(`psych-item-${i}`);
        const radios = ANSWERS.map((a) => {
          const input = el("input", { attrs: { type: "radio", name: `item-${i}`, value: String(a.value), id: `psych-item-${i}-${a.value}` } });
          input.addEventListener("change", () => {
            answers[i] = a.value;
            error.textContent = "";
            delete error.dataset.code;
            drawTally();
          });
          return el("label", { className: "answer" }, [input, el("span", { className: "answer__value", text: String(a.value) }), el("span", { className: "answer__label", i18n: a.label })]);
        });
        const selfHarmItem = SELF_HARM_ITEM[scale] === i;
        const li = el("li", { className: `scale-item${selfHarmItem ? " scale-item--self-harm" : ""}`, dataset: { item: String(i) } }, [
          el("fieldset", { className: "scale-item__set", attrs: { "aria-describedby": error.id } }, [
            el("legend", { className: "scale-item__text" }, [el("span", { className: "scale-item__no", text: `${i + 1}.` }), el("span", { i18n: key })]),
            el("div", { className: "answer-row" }, radios),
          ]),
          error,
        ]);
        errors.add(`answers[${i}]`, error, radios[0]?.querySelector("input") ?? null);
        return li;
      }),
    );
    drawTally();
  }

  function drawTally(): void {
    const now = tally(scale, answers);
    tallyLine.textContent = t(now.complete ? "psych.assess.tallyDone" : "psych.assess.tally", {
      answered: now.answered,
      items: now.items,
      total: now.total,
      band: labelOf(BAND_NAMES, now.band),
    });
    Object.assign(tallyLine.dataset, { total: String(now.total), band: now.band, complete: String(now.complete), answered: String(now.answered) });
    selfHarm.hidden = !now.selfHarm;
    form.dataset.selfHarm = String(now.selfHarm);
  }

  const request = (id: string): AssessmentCreate | null => {
    const missing = answers.flatMap((a, i) => (a === null ? [`answers[${i}]`] : []));
    const when = fromLocalInput(at.value);
    if (when === null) {
      missing.push("at");
    }
    if (missing.length > 0) {
      errors.required(missing);
      if (answers.some((a) => a === null)) {
        answersError.textContent = t("psych.assess.unanswered", { n: answers.filter((a) => a === null).length });
      }
      return null;
    }
    return { id, person_id: options.personId, scale, answers: answers.map((a) => a ?? 0), at: when ?? at.value };
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: recordAssessment,
    done: options.onRecorded,
    // an earlier try was stored with other answers: this one is new
    idTaken: { code: "assessment_id_taken" },
  });
  drawItems();
  const off = onLocaleChange(() => (form.isConnected ? drawTally() : off()));
  return form;
}
