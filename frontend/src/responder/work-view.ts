/**
 * The accepted assignment: one-tap statuses, navigation, the need-to-know patient details, this
 * role's checklist, the team, and short notes. Every control is at least 3.5rem tall.
 */

import { el, replaceChildren } from "../shared/dom";
import { getLocale, t, tk, type MessageKey } from "../shared/i18n";
import type { ResponderController } from "./controller";
import { distanceText, etaText, geoLink, kindName, mapsLink, priorityName, roleAsk, roleName, stateName } from "./labels";
import type { AssignmentState, PatientRecord, QueuedCommand } from "./model";
import type { Work } from "./responder-state";

type StatusAction = "en_route" | "on_scene" | "need_backup" | "clear";

const STATUS_BUTTONS: readonly { action: StatusAction; label: MessageKey; from: readonly AssignmentState[]; style: string }[] = [
  { action: "en_route", label: tk("responder.action.enRoute"), from: ["accepted"], style: "btn--primary" },
  { action: "on_scene", label: tk("responder.action.onScene"), from: ["accepted", "en_route"], style: "btn--primary" },
  { action: "need_backup", label: tk("responder.action.needBackup"), from: ["accepted", "en_route", "on_scene"], style: "btn--danger" },
  { action: "clear", label: tk("responder.action.clear"), from: ["accepted", "en_route", "on_scene"], style: "btn--success" },
];

const QUICK_NOTES: readonly MessageKey[] = [
  tk("responder.note.quick.calm"),
  tk("responder.note.quick.guardianHere"),
  tk("responder.note.quick.noAnswer"),
  tk("responder.note.quick.ambulance"),
];

export function renderWork(card: HTMLElement, work: Work, queued: readonly QueuedCommand[], controller: ResponderController): void {
  const pendingTicks = new Set(queued.filter((c) => c.assignment_id === work.assignment_id && c.action === "tick").map((c) => c.item));
  const name = work.address ?? kindName(work.kind);
  // A re-render (a tick, a team update) must not eat a half-typed note.
  const typing = card.querySelector<HTMLTextAreaElement>(".notes__input");
  const draft = typing?.value ?? "";
  const focused = typing !== null && document.activeElement === typing;
  card.dataset.state = work.state;
  card.dataset.assignment = work.assignment_id;
  replaceChildren(card, [
    el("div", { className: "work__head" }, [
      el("span", { className: `badge badge--p${Math.min(work.priority, 4)}`, text: priorityName(work.priority) }),
      el("span", { className: "work__state", text: stateName(work.state) }),
      el("span", { className: "work__role", text: roleName(work.role) }),
    ]),
    el("h2", { className: "work__kind", text: kindName(work.kind) }),
    el("p", { className: "work__address", text: work.address ?? t("responder.noAddress") }),
    el("div", { className: "work__nav" }, [
      el("a", { className: "btn btn--xl work__navlink", i18n: "responder.navigate", attrs: { href: geoLink(work.lat, work.lon, name) } }),
      el("a", {
        className: "btn btn--xl btn--ghost work__navlink",
        i18n: "responder.openMap",
        attrs: { href: mapsLink(work.lat, work.lon, name), target: "_blank", rel: "noopener" },
      }),
    ]),
    statusButtons(work, controller),
    el("p", { className: "work__ask", text: roleAsk(work.role) }),
    patientSection(work),
    checklistSection(work, pendingTicks, controller),
    teamSection(work),
    notesSection(work, controller),
  ]);
  const input = card.querySelector<HTMLTextAreaElement>(".notes__input");
  if (input !== null) {
    input.value = draft;
    if (focused) {
      input.focus();
    }
  }
}

function statusButtons(work: Work, controller: ResponderController): HTMLElement {
  return el(
    "div",
    { className: "work__actions" },
    STATUS_BUTTONS.map(({ action, label, from, style }) => {
      const b = el("button", { className: `btn btn--xl ${style}`, i18n: label, attrs: { type: "button" }, dataset: { action } });
      b.disabled = !from.includes(work.state);
      b.addEventListener("click", () => controller.actStatus(action));
      return b;
    }),
  );
}

function patientSection(work: Work): HTMLElement | null {
  const p: PatientRecord | null = work.patient;
  const brief = work.brief;
  if (p === null) {
    if (brief?.patient === null || brief?.patient === undefined) {
      return null;
    }
    return el("section", { className: "work__section need-to-know" }, [
      el("h3", { i18n: "responder.patient.title" }),
      el("p", { text: t("responder.offer.patient", { name: brief.patient.name, grade: brief.patient.risk_grade }) }),
      el("p", { className: "card__hint", i18n: "responder.patient.loading" }),
    ]);
  }
  const rows: [MessageKey, string | null][] = [
    [tk("responder.patient.name"), p.person.name],
    [tk("responder.patient.risk"), p.risk_grade === null ? null : String(p.risk_grade)],
    [tk("responder.patient.deEscalation"), p.de_escalation_notes],
    [tk("responder.patient.medication"), p.medication],
    [tk("responder.patient.guardian"), p.guardian_name],
  ];
  return el("section", { className: "work__section need-to-know", attrs: { "aria-label": t("responder.patient.title") } }, [
    el("h3", { i18n: "responder.patient.title" }),
    el(
      "dl",
      { className: "need-to-know__list" },
      rows.filter(([, v]) => v !== null && v !== "").flatMap(([k, v]) => [el("dt", { i18n: k }), el("dd", { text: v ?? "" })]),
    ),
    p.guardian_phone === null
      ? null
      : el("a", {
          className: "btn btn--xl need-to-know__call",
          text: t("responder.patient.callGuardian", { phone: p.guardian_phone }),
          attrs: { href: `tel:${p.guardian_phone.replace(/[^0-9+]/g, "")}` },
        }),
    el("p", { className: "card__hint", i18n: "responder.patient.privacy" }),
  ]);
}

function checklistSection(work: Work, pending: Set<string | undefined>, controller: ResponderController): HTMLElement {
  const items = work.brief?.checklist ?? [];
  const zh = getLocale() === "zh-CN";
  return el("section", { className: "work__section checklist" }, [
    el("h3", { i18n: "responder.checklist.title" }),
    items.length === 0
      ? el("p", { className: "card__hint", i18n: work.brief === null ? "responder.loading" : "responder.checklist.none" })
      : el(
          "ul",
          { className: "checklist__items" },
          items.map((item) => {
            const ticked = work.ticked.includes(item.item);
            const b = el("button", {
              className: `checklist__item${ticked ? " is-ticked" : ""}`,
              attrs: { type: "button", role: "checkbox", "aria-checked": String(ticked) },
              dataset: { item: item.item },
            }, [
              el("span", { className: "checklist__box", text: ticked ? "✓" : "" }),
              el("span", { className: "checklist__text", text: zh ? item.text_zh : item.text_en }),
              pending.has(item.item) ? el("span", { className: "checklist__pending", i18n: "responder.queue.pendingOne" }) : null,
            ]);
            b.disabled = ticked;
            b.addEventListener("click", () => controller.actTick(item.item));
            return el("li", {}, [b]);
          }),
        ),
  ]);
}

function teamSection(work: Work): HTMLElement {
  const team = work.brief?.team ?? [];
  return el("section", { className: "work__section team" }, [
    el("h3", { i18n: "responder.team.title" }),
    team.length === 0
      ? el("p", { className: "card__hint", i18n: "responder.loading" })
      : el(
          "ul",
          { className: "team__list" },
          team.map((m) =>
            el("li", { className: `team__member${m.is_me ? " is-me" : ""}`, dataset: { state: m.state } }, [
              el("span", { className: "team__name", text: m.is_me ? t("responder.team.me", { name: m.display_name }) : m.display_name }),
              el("span", { className: "team__role", text: roleName(m.role) }),
              el("span", { className: "team__state", text: stateName(m.is_me ? work.state : m.state) }),
              el("span", { className: "team__dist", text: `${distanceText(m.distance_m)} · ${etaText(m.eta_s)}` }),
            ]),
          ),
        ),
  ]);
}

function notesSection(work: Work, controller: ResponderController): HTMLElement {
  const input = el("textarea", {
    className: "notes__input",
    attrs: { rows: "2", maxlength: "500", "aria-label": t("responder.note.placeholder"), placeholder: t("responder.note.placeholder") },
  });
  const send = el("button", { className: "btn btn--xl btn--primary notes__send", i18n: "responder.note.send", attrs: { type: "button" } });
  send.addEventListener("click", () => {
    controller.actNote(input.value);
    input.value = "";
  });
  const chips = QUICK_NOTES.map((key) => {
    const b = el("button", { className: "btn notes__chip", i18n: key, attrs: { type: "button" } });
    b.addEventListener("click", () => controller.actNote(t(key)));
    return b;
  });
  return el("section", { className: "work__section notes" }, [
    el("h3", { i18n: "responder.note.title" }),
    el("div", { className: "notes__chips" }, chips),
    input,
    send,
    work.notes.length === 0 ? null : el("ul", { className: "notes__list" }, work.notes.map((n) => el("li", { text: n }))),
  ]);
}
