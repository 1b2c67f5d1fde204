/**
 * Creating an incident in seconds: kind, priority, the place (address autocomplete, or a click
 * on the map), the patient registered at that address when there is one, and the playbook that
 * will run, with its steps. Submitting sends an `Idempotency-Key`, so a double click creates one
 * incident; an ambiguous place (409) lists the candidates to pick from; a refused field shows the
 * server's message at that field. Ctrl+Enter submits from anywhere in the form.
 */

import { el, replaceChildren } from "../shared/dom";
import { INCIDENT_KIND_LABELS } from "../shared/domain";
import { showErrorText } from "../shared/error-text";
import { ApiError } from "../shared/http";
import { onLocaleChange, t, type MessageKey } from "../shared/i18n";
import { createIncident, patientsAt, selectPlaybook } from "../shared/incidents-api";
import type { AddressCandidate, IncidentDetail, PatientView, PlaybookSummary } from "../shared/types";
import { mountAddressSearch } from "../shared/ui/address-search";
import { emptyDraft, fieldFor, IdempotencyKeys, toRequest, type IntakeDraft, type IntakeField } from "./intake-model";
import { localText, PRIORITY_NAMES, roleName } from "./labels";
import { loadPlaybookInfo } from "./playbook-info";
import { refusalText } from "../shared/ui/refusal";

export interface IntakeForm {
  root: HTMLElement;
  /** A point picked on the map becomes the place. */
  setPoint(lat: number, lon: number): void;
  focus(): void;
}

export interface IntakeOptions {
  onCreated(detail: IncidentDetail, created: boolean): void;
  /** The place changed (to show it on the map); null when cleared. */
  onPlace(point: { lat: number; lon: number } | null): void;
}

function selectField(id: string, label: MessageKey, options: { value: string; key: MessageKey }[]): { field: HTMLElement; select: HTMLSelectElement; error: HTMLElement } {
  const select = el(
    "select",
    { className: "field__input", attrs: { id } },
    options.map((o) => el("option", { i18n: o.key, attrs: { value: o.value } })),
  );
  const error = fieldError(id);
  select.setAttribute("aria-describedby", error.id);
  return { field: el("div", { className: "field" }, [el("label", { className: "field__label", i18n: label, attrs: { for: id } }), select, error]), select, error };
}

function fieldError(id: string): HTMLElement {
  return el("p", { className: "field__error", attrs: { id: `${id}-error`, role: "alert" } });
}

export function mountIntakeForm(parent: HTMLElement, options: IntakeOptions): IntakeForm {
  let draft: IntakeDraft = emptyDraft();
  const keys = new IdempotencyKeys();
  let busy = false;
  let patients: PatientView[] = [];
  let playbook: PlaybookSummary | null = null;
  let playbookRoles = new Map<string, string[]>();
  let playbookAsked = 0;
  let patientsAsked = 0;

  const kind = selectField(
    "intake-kind",
    "console.intake.kind",
    Object.entries(INCIDENT_KIND_LABELS).map(([value, key]) => ({ value, key })),
  );
  const priority = selectField("intake-priority", "console.intake.priority", [
    { value: "", key: "console.intake.priorityDefault" },
    ...Object.entries(PRIORITY_NAMES).map(([value, key]) => ({ value, key })),
  ]);
  const violent = el("input", { attrs: { id: "intake-violent", type: "checkbox" } });
  const description = el("textarea", { className: "field__input field__input--small", attrs: { id: "intake-description", rows: "2", "data-i18n-placeholder": "console.intake.descriptionPlaceholder", placeholder: t("console.intake.descriptionPlaceholder") } });
  const descriptionError = fieldError("intake-description");

  const placeError = fieldError("intake-address");
  const placeNote = el("p", { className: "intake__place-note" });
  const candidates = el("div", { className: "intake__candidates" });
  const search = mountAddressSearch({
    id: "intake-address",
    placeholder: "console.intake.addressPlaceholder",
    none: "console.intake.noAddress",
    onPick: (item) => choosePlace({ mode: "address", address: item }),
    onText: (text) => {
      draft = { ...draft, place: text === "" ? { mode: "none" } : { mode: "text", text }, patientId: null };
      patients = [];
      clearErrors();
      renderPlace();
    },
  });
  search.input.setAttribute("aria-describedby", placeError.id);

  const patientBox = el("div", { className: "intake__patients", attrs: { "aria-live": "polite" } });
  const patientError = fieldError("intake-patient");
  const playbookBox = el("div", { className: "intake__playbook", attrs: { "aria-live": "polite" } });
  const general = el("p", { className: "intake__error", attrs: { role: "alert" } });
  const submit = el("button", { className: "btn btn--primary intake__submit", i18n: "console.intake.submit", attrs: { type: "submit", "aria-keyshortcuts": "Control+Enter" } });
  const reset = el("button", { className: "btn btn--ghost", i18n: "console.intake.reset", attrs: { type: "reset" } });

  const form = el("form", { className: "intake", attrs: { novalidate: "", "aria-labelledby": "intake-title" } }, [
    el("div", { className: "intake__row" }, [kind.field, priority.field]),
    el("div", { className: "field" }, [
      el("label", { className: "field__label", i18n: "console.intake.address", attrs: { for: "intake-address" } }),
      search.root,
      placeNote,
      placeError,
      candidates,
    ]),
    patientBox,
    patientError,
    el("label", { className: "intake__check" }, [violent, el("span", { i18n: "console.intake.violent" })]),
    el("div", { className: "field" }, [el("label", { className: "field__label", i18n: "console.intake.description", attrs: { for: "intake-description" } }), description, descriptionError]),
    playbookBox,
    general,
    el("div", { className: "intake__actions" }, [reset, submit]),
  ]);
  const root = el("section", { className: "panel panel--intake" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "console.intake.title", attrs: { id: "intake-title" } }), el("span", { className: "panel__hint", i18n: "console.intake.hint" })]),
    form,
  ]);
  parent.append(root);

  const errorTargets: Record<IntakeField, { error: HTMLElement; input: HTMLElement | null }> = {
    kind: { error: kind.error, input: kind.select },
    priority: { error: priority.error, input: priority.select },
    place: { error: placeError, input: search.input },
    patient: { error: patientError, input: null },
    description: { error: descriptionError, input: description },
    general: { error: general, input: null },
  };

  function clearErrors(): void {
    for (const { error, input } of Object.values(errorTargets)) {
      error.textContent = "";
      error.removeAttribute("title");
      input?.removeAttribute("aria-invalid");
    }
    replaceChildren(candidates, []);
  }

  function showError(err: unknown): void {
    if (!(err instanceof ApiError)) {
      errorTargets.general.error.textContent = t("console.error.unexpected");
      return;
    }
    const target = errorTargets[fieldFor(err.field)];
    showErrorText(target.error, refusalText(err), err);
    if (target.input !== null) {
      target.input.setAttribute("aria-invalid", "true");
      target.input.focus();
    }
    if (err.code === "ambiguous_place" && Array.isArray(err.details.candidates)) {
      showCandidates(err.details.candidates as AddressCandidate[]);
    }
  }

  function showCandidates(list: AddressCandidate[]): void {
    const buttons = list.map((c) => {
      const button = el("button", { className: "intake__candidate", text: c.text, attrs: { type: "button" } });
      button.addEventListener("click", () => {
        search.setText(c.text);
        choosePlace({ mode: "address", address: c });
        submit.focus();
      });
      return button;
    });
    replaceChildren(candidates, [el("p", { className: "intake__candidates-title", i18n: "console.intake.pickCandidate" }), ...buttons]);
    buttons[0]?.focus();
  }

  function choosePlace(place: IntakeDraft["place"]): void {
    draft = { ...draft, place, patientId: null };
    patients = [];
    clearErrors();
    renderPlace();
    if (place.mode === "address") {
      options.onPlace({ lat: place.address.lat, lon: place.address.lon });
      void loadPatients(place.address.address_id);
    } else if (place.mode === "point") {
      options.onPlace({ lat: place.lat, lon: place.lon });
    } else {
      options.onPlace(null);
    }
    renderPatients();
    void loadPlaybook();
  }

  function renderPlace(): void {
    const p = draft.place;
    placeNote.textContent =
      p.mode === "address"
        ? t("console.intake.placeAddress")
        : p.mode === "point"
          ? t("console.intake.placePoint", { lat: p.lat.toFixed(5), lon: p.lon.toFixed(5) })
          : p.mode === "text"
            ? t("console.intake.placeText")
            : t("console.intake.placeNone");
    placeNote.dataset.mode = p.mode;
  }

  async function loadPatients(addressId: string): Promise<void> {
    const ticket = ++patientsAsked;
    try {
      const page = await patientsAt(addressId);
      if (ticket === patientsAsked) {
        patients = page.items;
        renderPatients();
      }
    } catch (err) {
      console.warn("patients at address", err);
    }
  }

  function renderPatients(): void {
    if (patients.length === 0) {
      replaceChildren(patientBox, []);
      return;
    }
    replaceChildren(patientBox, [
      el("p", { className: "intake__patients-title", text: t("console.intake.patientsHere", { n: patients.length }) }),
      ...patients.map((p) => {
        const linked = draft.patientId === p.person.id;
        const button = el("button", {
          className: `btn btn--small${linked ? " btn--success" : ""}`,
          text: t(linked ? "console.intake.patientLinked" : "console.intake.linkPatient"),
          attrs: { type: "button", "aria-pressed": String(linked) },
        });
        button.addEventListener("click", () => {
          draft = { ...draft, patientId: linked ? null : p.person.id };
          renderPatients();
          void loadPlaybook();
        });
        const facts = [
          p.person.name ?? t("console.patient.nameHidden"),
          p.risk_grade === null ? null : t("console.patient.risk", { grade: p.risk_grade }),
          p.guardian_name === null ? null : t("console.patient.guardian", { name: p.guardian_name, phone: p.guardian_phone ?? "—" }),
        ].filter((x): x is string => x !== null);
        return el("div", { className: `patient-card${linked ? " is-linked" : ""}`, dataset: { patientId: p.person.id } }, [
          el("p", { className: "patient-card__facts", text: facts.join(" · ") }),
          p.de_escalation_notes === null ? null : el("p", { className: "patient-card__notes", text: p.de_escalation_notes }),
          button,
        ]);
      }),
    ]);
  }

  async function loadPlaybook(): Promise<void> {
    const ticket = ++playbookAsked;
    try {
      const chosen = await selectPlaybook(draft.kind, draft.patientId, draft.violent);
      const info = await loadPlaybookInfo(chosen.id).catch(() => null);
      if (ticket !== playbookAsked) {
        return;
      }
      playbook = chosen;
      playbookRoles = new Map(chosen.steps.map((s) => [s.id, info?.step(s.id)?.roles ?? []]));
      renderPlaybook();
    } catch (err) {
      if (ticket === playbookAsked) {
        playbook = null;
        const message = el("p", { className: "intake__error" });
        showErrorText(message, refusalText(err), err);
        replaceChildren(playbookBox, [message]);
      }
    }
  }

  function renderPlaybook(): void {
    if (playbook === null) {
      replaceChildren(playbookBox, []);
      return;
    }
    const steps = playbook.steps.map((s) => {
      const roles = playbookRoles.get(s.id) ?? [];
      // The server names every step, titled or not (playbooks/titles.py).
      const title = localText(s.title) ?? s.type;
      return el("li", { className: `playbook__step playbook__step--${s.type}` }, [
        el("span", { className: "playbook__step-title", text: title }),
        roles.length === 0 ? null : el("span", { className: "playbook__roles", text: roles.map(roleName).join("、") }),
      ]);
    });
    replaceChildren(playbookBox, [
      el("p", { className: "playbook__title" }, [
        el("span", { className: "playbook__label", i18n: "console.intake.playbook" }),
        el("strong", { text: `${localText(playbook.title) ?? playbook.id} · v${playbook.version}`, dataset: { playbookId: playbook.id } }),
      ]),
      el("ol", { className: "playbook__steps" }, steps),
    ]);
  }

  async function submitDraft(): Promise<void> {
    if (busy) {
      return; // a second click while the first is out: the same key would answer the same anyway
    }
    busy = true;
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    clearErrors();
    const body = toRequest(draft);
    try {
      const result = await createIncident(body, keys.keyFor(body));
      if (result.incident !== null) {
        keys.created();
        options.onCreated(result.incident, true);
        resetForm();
      }
    } catch (err) {
      showError(err);
    } finally {
      busy = false;
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  function resetForm(): void {
    const keepKind = draft.kind;
    draft = emptyDraft(keepKind);
    priority.select.value = "";
    violent.checked = false;
    description.value = "";
    search.setText("");
    patients = [];
    clearErrors();
    renderPlace();
    renderPatients();
    options.onPlace(null);
    void loadPlaybook();
  }

  kind.select.addEventListener("change", () => {
    draft = { ...draft, kind: kind.select.value };
    void loadPlaybook();
  });
  priority.select.addEventListener("change", () => {
    draft = { ...draft, priority: priority.select.value === "" ? null : Number(priority.select.value) };
  });
  violent.addEventListener("change", () => {
    draft = { ...draft, violent: violent.checked };
    void loadPlaybook();
  });
  description.addEventListener("input", () => {
    draft = { ...draft, description: description.value };
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitDraft();
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    resetForm();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submitDraft();
    }
  });
  onLocaleChange(() => {
    renderPlace();
    renderPatients();
    renderPlaybook();
  });

  kind.select.value = draft.kind;
  renderPlace();
  void loadPlaybook();

  return {
    root,
    setPoint(lat, lon) {
      search.setText("");
      choosePlace({ mode: "point", lat, lon });
    },
    focus() {
      search.input.focus();
    },
  };
}
