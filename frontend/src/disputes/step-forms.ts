/**
 * The steps on a live dispute the user's jurisdiction holds, one form at a time, each with its
 * time (now) and notes: a mediation session (调解); passing it up to the centre above (上报, with
 * the reason; the centre is named); handing it down to a unit on the way to where it happened
 * (交办, chosen from the server's `assign_to`, with the days to settle it, by default what its
 * risk allows); a new risk judgement (研判); closing it, settled here (化解: agreement, withdrawn)
 * or passed to another channel (移交: court, arbitration, petition, other).
 *
 * Each opening makes the step's id once and sends it with every retry, so a double click or a
 * resend is stored once (200 `duplicate`); 409 `action_id_taken` gets a new id. A refusal is
 * shown at the field the server names; one that says the dispute moved on meanwhile (another
 * centre holds it, it is closed, it is out of sight) goes to `onStale`, which fetches it again.
 */

import { fromLocalInput, toLocalInput } from "../shared/dates";
import { DISPUTE_RISKS, RISK_NAMES } from "../shared/dispute-terms";
import { el } from "../shared/dom";
import { ApiError } from "../shared/http";
import { onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import type { DisputeDetail, DisputeOutcome, DisputeRecorded, DisputeRisk } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { recordStep, type DisputeStep } from "./disputes-api";
import { OUTCOMES, REFERRALS, RESOLUTIONS, SETTLE_DAYS } from "./labels";
import type { UnitNames } from "./unit-names";

export type StepKind = DisputeStep["kind"];

export interface StepFormOptions {
  kind: StepKind;
  detail: DisputeDetail;
  names: UnitNames;
  onRecorded(result: DisputeRecorded, kind: StepKind): void;
  /** The dispute moved on elsewhere (closed, held by another centre, out of sight): fetch it again. */
  onStale(err: unknown): void;
  onCancel(): void;
}

const TEXT: Readonly<Record<StepKind, { title: MessageKey; submit: MessageKey }>> = {
  mediation: { title: tk("disputes.step.mediation.title"), submit: tk("disputes.step.mediation.submit") },
  escalate: { title: tk("disputes.step.escalate.title"), submit: tk("disputes.step.escalate.submit") },
  assign: { title: tk("disputes.step.assign.title"), submit: tk("disputes.step.assign.submit") },
  risk: { title: tk("disputes.step.risk.title"), submit: tk("disputes.step.risk.submit") },
  close: { title: tk("disputes.step.close.title"), submit: tk("disputes.step.close.submit") },
};

/** Codes that say the dispute is not what the form was opened on any more. */
const STALE: ReadonlySet<string> = new Set(["held_elsewhere", "dispute_closed", "not_found"]);
const NOTES_MAX = 2000;
const REASON_MAX = 500;
const DAY_PICKS: readonly number[] = [3, 7, 15, 30];

/** A radio choice of a group, `disputes-step-<name>-<value>`. */
function radio(name: string, value: string, label: MessageKey, checked: boolean): HTMLElement {
  const input = el("input", { attrs: { type: "radio", name, value, id: `disputes-step-${name}-${value}` } });
  input.checked = checked;
  return el("label", { className: `radio radio--${value}`, dataset: { value } }, [input, el("span", { i18n: label })]);
}

/** Appends the form of one step on the dispute to `parent` (a new step id) and returns it. */
export function mountStepForm(parent: HTMLElement, options: StepFormOptions): HTMLElement {
  const { kind, detail } = options;
  const dispute = detail.dispute;

  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const at = el("input", { className: "field__input", attrs: { id: "disputes-step-at", name: "at", type: "datetime-local", required: "" } });
  at.value = toLocalInput(new Date());
  const atError = errorLine("disputes-step-at");
  errors.add("at", atError, at);

  const text = (name: string, placeholder: MessageKey, max: number): HTMLTextAreaElement =>
    el("textarea", { className: "field__input", attrs: { id: `disputes-step-${name}`, name, rows: "3", maxlength: String(max), placeholder: t(placeholder), "data-i18n-placeholder": placeholder } });
  const notes = text("notes", "disputes.step.notesPlaceholder", NOTES_MAX);
  const notesError = errorLine("disputes-step-notes");
  errors.add("notes", notesError, notes);
  const notesField = labelled("disputes-step-notes", "disputes.step.notes", notes, notesError, "disputes.step.notesHint");

  const fields: HTMLElement[] = [];
  /** Texts with values in them, written again when the language changes. */
  const texts: (() => void)[] = [];
  /** The step's body with the step's `id`, or null after marking what is missing. */
  let build: (id: string, when: string, words: string | undefined) => DisputeStep | null;

  if (kind === "mediation") {
    fields.push(notesField);
    build = (id, when, words) => ({ kind, body: { id, at: when, ...(words === undefined ? {} : { notes: words }) } });
  } else if (kind === "escalate") {
    const reason = text("reason", "disputes.step.reasonPlaceholder", REASON_MAX);
    const reasonError = errorLine("disputes-step-reason");
    errors.add("reason", reasonError, reason);
    const to = detail.escalate_to;
    const toLine = el("p", { className: "step-form__to", dataset: { toPath: to ?? "" } });
    texts.push(() => {
      toLine.textContent = t("disputes.step.escalate.to", { unit: to === null ? "—" : options.names.name(to) });
    });
    fields.push(
      toLine,
      labelled("disputes-step-reason", "disputes.step.reason", reason, reasonError),
    );
    build = (id, when) => {
      const why = reason.value.trim();
      if (why.length < 2) {
        errors.required(["reason"]);
        return null;
      }
      return { kind, body: { id, at: when, reason: why } };
    };
  } else if (kind === "assign") {
    const to = el(
      "select",
      { className: "field__input", attrs: { id: "disputes-step-to", name: "to_path", required: "" } },
      detail.assign_to.map((path) => el("option", { text: options.names.name(path), attrs: { value: path } })),
    );
    const toError = errorLine("disputes-step-to");
    errors.add("to_path", toError, to);
    const days = el("input", { className: "field__input step-form__days", attrs: { id: "disputes-step-days", name: "due_days", type: "number", inputmode: "numeric", min: "1", max: "60", step: "1", required: "" } });
    days.value = String(SETTLE_DAYS[dispute.risk]);
    const daysError = errorLine("disputes-step-days");
    errors.add("due_days", daysError, days);
    const picks = el(
      "div",
      { className: "close-form__picks", attrs: { role: "group", "aria-label": t("disputes.step.assign.days"), "data-i18n-aria-label": "disputes.step.assign.days" } },
      DAY_PICKS.map((n) => {
        const b = el("button", { className: "btn btn--small btn--ghost", attrs: { type: "button" }, dataset: { days: String(n) } });
        texts.push(() => {
          b.textContent = t("disputes.step.assign.dayPick", { n });
        });
        b.addEventListener("click", () => {
          days.value = String(n);
        });
        return b;
      }),
    );
    const daysHint = el("p", { className: "field__hint" });
    texts.push(() => {
      daysHint.textContent = t("disputes.step.assign.daysHint", { n: SETTLE_DAYS[dispute.risk] });
      for (const option of to.options) {
        option.textContent = options.names.name(option.value);
      }
    });
    fields.push(
      labelled("disputes-step-to", "disputes.step.assign.to", to, toError, "disputes.step.assign.toHint"),
      el("div", { className: "field" }, [el("label", { className: "field__label", i18n: "disputes.step.assign.days", attrs: { for: days.id } }), days, picks, daysHint, daysError]),
      notesField,
    );
    build = (id, when, words) => {
      const n = Number(days.value);
      const missing = [to.value === "" ? "to_path" : null, days.value.trim() === "" || !Number.isInteger(n) ? "due_days" : null].filter((x): x is string => x !== null);
      if (missing.length > 0) {
        errors.required(missing);
        return null;
      }
      // 1–60 days: the server's to refuse, at the field
      return { kind, body: { id, at: when, to_path: to.value, due_days: n, ...(words === undefined ? {} : { notes: words }) } };
    };
  } else if (kind === "risk") {
    const group = el("fieldset", { className: "field ledger-form__group", attrs: { id: "disputes-step-risk" } }, [
      el("legend", { className: "field__label", i18n: "disputes.step.risk.label" }),
      el("div", { className: "radio-row" }, DISPUTE_RISKS.map((r) => radio("risk", r, RISK_NAMES[r], r === dispute.risk))),
      el("p", { className: "field__hint", i18n: "disputes.step.risk.hint" }),
    ]);
    const riskError = errorLine("disputes-step-risk");
    errors.add("risk", riskError, group.querySelector("input"));
    fields.push(group, riskError, notesField);
    build = (id, when, words) => {
      const chosen = group.querySelector<HTMLInputElement>("input:checked")?.value as DisputeRisk | undefined;
      if (chosen === undefined) {
        errors.required(["risk"]);
        return null;
      }
      return { kind, body: { id, at: when, risk: chosen, ...(words === undefined ? {} : { notes: words }) } };
    };
  } else {
    const outcomes = (legend: MessageKey, hint: MessageKey, values: readonly DisputeOutcome[], group: string): HTMLElement =>
      el("fieldset", { className: "field ledger-form__group step-form__outcomes", dataset: { group } }, [
        el("legend", { className: "field__label", i18n: legend }),
        el("div", { className: "radio-row" }, values.map((o) => radio("outcome", o, OUTCOMES[o], false))),
        el("p", { className: "field__hint", i18n: hint }),
      ]);
    const resolved = outcomes("disputes.step.close.resolved", "disputes.step.close.resolvedHint", RESOLUTIONS, "resolved");
    const referred = outcomes("disputes.step.close.referred", "disputes.step.close.referredHint", REFERRALS, "referred");
    const outcomeError = errorLine("disputes-step-outcome");
    errors.add("outcome", outcomeError, resolved.querySelector("input"));
    fields.push(resolved, referred, outcomeError, notesField);
    build = (id, when, words) => {
      const chosen = [resolved, referred].map((g) => g.querySelector<HTMLInputElement>("input:checked")).find((x) => x !== null);
      if (chosen === undefined) {
        errors.required(["outcome"]);
        return null;
      }
      return { kind, body: { id, at: when, outcome: chosen.value as DisputeOutcome, ...(words === undefined ? {} : { notes: words }) } };
    };
  }

  const submit = el("button", { className: `btn ${kind === "close" ? "btn--danger" : "btn--primary"} ledger-form__submit`, i18n: TEXT[kind].submit, attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: `ledger-form step-form step-form--${kind}`, attrs: { novalidate: "", "aria-labelledby": "disputes-step-title" }, dataset: { step: kind, disputeId: dispute.id } }, [
    el("h3", { className: "section-title", i18n: TEXT[kind].title, attrs: { id: "disputes-step-title" } }),
    labelled("disputes-step-at", "disputes.step.at", at, atError),
    ...fields,
    general,
    el("div", { className: "ledger-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);
  const drawTexts = (): void => {
    for (const draw of texts) {
      draw();
    }
  };
  drawTexts();
  const stop = onLocaleChange(() => {
    if (!form.isConnected) {
      stop();
      return;
    }
    drawTexts();
  });

  const request = (id: string): DisputeStep | null => {
    const when = fromLocalInput(at.value);
    if (when === null) {
      errors.required(["at"]);
      return null;
    }
    const words = notes.value.trim();
    return build(id, when, words === "" ? undefined : words);
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: (step) => recordStep(dispute.id, step),
    done: (result) => options.onRecorded(result, kind),
    // an earlier try was stored as another step: this is a new one
    idTaken: { code: "action_id_taken", text: "disputes.step.idTaken" },
    handled: (err) => {
      if (err instanceof ApiError && STALE.has(err.code)) {
        options.onStale(err);
        return true;
      }
      return false;
    },
  });
  return form;
}
