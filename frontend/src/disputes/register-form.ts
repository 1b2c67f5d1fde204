/**
 * Registering a dispute (登记), by a centre's staff or a grid worker on the rounds: its kind, a
 * title that says what it is about (lists show it to everyone who reads disputes: no names),
 * the details (the parties' names and claims; sealed, read only by those who work disputes), how
 * many parties, the risk (it sets the deadline, and a high one warns at once), where it came
 * from, where it happened (an address of the jurisdiction found by search, or left empty for the
 * user's own unit) and when (now). The user's centre holds it.
 *
 * The id is made once per opening and goes with every retry, so a double click or a resend is
 * stored once (200 `duplicate`); 409 `dispute_id_taken` gets a new id. A refusal is shown at the
 * field the server names (`title`, `at`, `address_id`, …).
 */

import { fromLocalInput, toLocalInput } from "../shared/dates";
import { DISPUTE_KINDS, DISPUTE_RISKS, isDisputeKind, isDisputeRisk, KIND_NAMES, RISK_NAMES } from "../shared/dispute-terms";
import { el } from "../shared/dom";
import { localName, onLocaleChange, t } from "../shared/i18n";
import type { AddressCandidate, DisputeCreate, DisputeRecorded, DisputeSource, OrgUnitRef } from "../shared/types";
import { mountAddressSearch } from "../shared/ui/address-search";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { registerDispute } from "./disputes-api";
import { SETTLE_DAYS, SOURCES } from "./labels";

export interface RegisterFormOptions {
  /** The user's unit: where the dispute happened when no address is picked, and who holds it. */
  unit: OrgUnitRef;
  onRecorded(result: DisputeRecorded): void;
  onCancel(): void;
}

const TITLE_MAX = 100;
const DETAILS_MAX = 2000;

/** Appends a register form to `parent` (a new dispute id) and returns it. */
export function mountRegisterForm(parent: HTMLElement, options: RegisterFormOptions): HTMLElement {
  let address: AddressCandidate | null = null;

  const kind = el("select", { className: "field__input", attrs: { id: "disputes-reg-kind", name: "kind", required: "" } });
  const title = el("input", { className: "field__input", attrs: { id: "disputes-reg-title", name: "title", type: "text", maxlength: String(TITLE_MAX), autocomplete: "off", placeholder: t("disputes.register.titlePlaceholder"), "data-i18n-placeholder": "disputes.register.titlePlaceholder" } });
  const details = el("textarea", { className: "field__input", attrs: { id: "disputes-reg-details", name: "details", rows: "3", maxlength: String(DETAILS_MAX), placeholder: t("disputes.register.detailsPlaceholder"), "data-i18n-placeholder": "disputes.register.detailsPlaceholder" } });
  const parties = el("input", { className: "field__input register-form__parties", attrs: { id: "disputes-reg-parties", name: "parties", type: "number", inputmode: "numeric", min: "2", max: "100000", step: "1", required: "" } });
  parties.value = "2";
  const risks = el("fieldset", { className: "field ledger-form__group", attrs: { id: "disputes-reg-risk" } }, [
    el("legend", { className: "field__label", i18n: "disputes.register.risk" }),
    el(
      "div",
      { className: "radio-row" },
      DISPUTE_RISKS.map((r) =>
        el("label", { className: `radio radio--risk-${r}`, dataset: { value: r } }, [el("input", { attrs: { type: "radio", name: "risk", value: r, id: `disputes-reg-risk-${r}` } }), el("span", { i18n: RISK_NAMES[r] })]),
      ),
    ),
    el("p", { className: "field__hint register-form__risk-hint" }),
  ]);
  const riskHint = risks.querySelector<HTMLElement>(".register-form__risk-hint");
  const source = el("select", { className: "field__input", attrs: { id: "disputes-reg-source", name: "source", required: "" } });
  const at = el("input", { className: "field__input", attrs: { id: "disputes-reg-at", name: "at", type: "datetime-local", required: "" } });
  at.value = toLocalInput(new Date());

  const placeNote = el("p", { className: "field__hint register-form__place", attrs: { "aria-live": "polite" } });
  const search = mountAddressSearch({
    id: "disputes-reg-address",
    placeholder: "disputes.register.addressPlaceholder",
    none: "disputes.register.noAddress",
    onPick: (candidate) => {
      address = candidate;
      drawPlace();
    },
    onText: () => {
      address = null; // typing un-picks: the place is the unit again until another pick
      drawPlace();
    },
  });
  const clearPlace = el("button", { className: "btn btn--small btn--ghost register-form__clear", i18n: "disputes.register.clearAddress", attrs: { type: "button" } });
  clearPlace.addEventListener("click", () => {
    address = null;
    search.setText("");
    drawPlace();
  });

  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const line = (name: string, inputId: string, input: HTMLElement | null): HTMLElement => {
    const error = errorLine(inputId);
    errors.add(name, error, input);
    return error;
  };
  const kindError = line("kind", "disputes-reg-kind", kind);
  const titleError = line("title", "disputes-reg-title", title);
  const detailsError = line("details", "disputes-reg-details", details);
  const partiesError = line("parties", "disputes-reg-parties", parties);
  const riskError = line("risk", "disputes-reg-risk", risks.querySelector("input"));
  const sourceError = line("source", "disputes-reg-source", source);
  const addressError = line("address_id", "disputes-reg-address", search.input);
  errors.add("org_path", addressError, search.input);
  const atError = line("at", "disputes-reg-at", at);

  const submit = el("button", { className: "btn btn--primary ledger-form__submit", i18n: "disputes.register.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: "ledger-form register-form dispute-register", attrs: { novalidate: "", "aria-labelledby": "disputes-reg-title-h" } }, [
    el("h3", { className: "section-title", i18n: "disputes.register.title", attrs: { id: "disputes-reg-title-h" } }),
    el("div", { className: "ledger-form__row" }, [labelled("disputes-reg-kind", "disputes.register.kind", kind, kindError), labelled("disputes-reg-source", "disputes.register.source", source, sourceError)]),
    labelled("disputes-reg-title", "disputes.register.titleLabel", title, titleError, "disputes.register.titleHint"),
    labelled("disputes-reg-details", "disputes.register.details", details, detailsError, "disputes.register.detailsHint"),
    risks,
    riskError,
    el("div", { className: "ledger-form__row" }, [labelled("disputes-reg-parties", "disputes.register.parties", parties, partiesError), labelled("disputes-reg-at", "disputes.register.at", at, atError)]),
    el("div", { className: "field" }, [
      el("label", { className: "field__label", i18n: "disputes.register.address", attrs: { for: search.input.id } }),
      search.root,
      el("div", { className: "register-form__place-row" }, [placeNote, clearPlace]),
      addressError,
    ]),
    general,
    el("div", { className: "ledger-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  const drawChoices = (): void => {
    const chosenKind = kind.value;
    kind.replaceChildren(el("option", { text: t("disputes.register.choose"), attrs: { value: "" } }), ...DISPUTE_KINDS.map((k) => el("option", { text: t(KIND_NAMES[k]), attrs: { value: k } })));
    kind.value = chosenKind;
    const chosenSource = source.value;
    source.replaceChildren(el("option", { text: t("disputes.register.choose"), attrs: { value: "" } }), ...(Object.keys(SOURCES) as DisputeSource[]).map((s) => el("option", { text: t(SOURCES[s]), attrs: { value: s } })));
    source.value = chosenSource;
  };
  const drawTexts = (): void => {
    if (riskHint !== null) {
      riskHint.textContent = t("disputes.register.riskHint", { high: SETTLE_DAYS.high, medium: SETTLE_DAYS.medium, low: SETTLE_DAYS.low });
    }
  };
  const drawPlace = (): void => {
    placeNote.textContent = address === null ? t("disputes.register.placeUnit", { unit: localName(options.unit) }) : t("disputes.register.placeAddress", { address: address.text });
    clearPlace.hidden = address === null;
    form.dataset.addressId = address?.address_id ?? "";
  };
  drawChoices();
  drawTexts();
  if (options.unit.level === "grid") {
    source.value = "grid"; // a grid worker reports what the rounds met
  }
  drawPlace();

  const request = (id: string): DisputeCreate | null => {
    const when = fromLocalInput(at.value);
    const risk = risks.querySelector<HTMLInputElement>("input:checked")?.value;
    const n = Number(parties.value);
    const missing = [
      isDisputeKind(kind.value) ? null : "kind",
      title.value.trim() === "" ? "title" : null,
      isDisputeRisk(risk) ? null : "risk",
      source.value === "" ? "source" : null,
      parties.value.trim() === "" || !Number.isInteger(n) ? "parties" : null,
      when === null ? "at" : null,
    ].filter((x): x is string => x !== null);
    if (missing.length > 0 || when === null || !isDisputeKind(kind.value) || !isDisputeRisk(risk)) {
      errors.required(missing);
      return null;
    }
    // a title too short, fewer than two parties, a time ahead: the server's to refuse, at the field
    const body: DisputeCreate = { id, kind: kind.value, title: title.value.trim(), parties: n, risk, source: source.value as DisputeSource, at: when };
    const text = details.value.trim();
    if (text !== "") {
      body.details = text;
    }
    if (address !== null) {
      body.address_id = address.address_id;
    }
    return body;
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: registerDispute,
    done: options.onRecorded,
    idTaken: { code: "dispute_id_taken", text: "disputes.register.idTaken" },
  });
  const stop = onLocaleChange(() => {
    if (!form.isConnected) {
      stop();
      return;
    }
    drawChoices();
    drawTexts();
    drawPlace();
  });
  return form;
}
