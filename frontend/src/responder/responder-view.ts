/**
 * The responder app on a phone: duty switch, the current assignment with its next step as one
 * big button, and alert permission. Every control is at least 3.5rem tall for gloved thumbs.
 */

import { el, replaceChildren } from "../shared/dom";
import { ApiError } from "../shared/http";
import { formatDuration, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import { PRIORITY_LABELS } from "../shared/domain";
import type { Session } from "../shared/session";
import type { AssignmentState, ResponderAssignment } from "../shared/types";
import { mountAppHeader } from "../shared/ui/app-header";
import {
  type AssignmentAction,
  getResponderState,
  onResponderChange,
  type ResponderViewState,
} from "./responder-state";

/** The actions a responder can take in each assignment state, main action first. */
const NEXT_ACTIONS: Record<AssignmentState, readonly AssignmentAction[]> = {
  offered: ["accept", "decline"],
  accepted: ["en_route"],
  en_route: ["on_scene"],
  on_scene: ["clear"],
  cleared: [],
};

const ACTION_LABELS: Record<AssignmentAction, MessageKey> = {
  accept: tk("responder.action.accept"),
  decline: tk("responder.action.decline"),
  en_route: tk("responder.action.enRoute"),
  on_scene: tk("responder.action.onScene"),
  clear: tk("responder.action.clear"),
};

const STATE_LABELS: Record<AssignmentState, MessageKey> = {
  offered: tk("assignment.offered"),
  accepted: tk("assignment.accepted"),
  en_route: tk("assignment.en_route"),
  on_scene: tk("assignment.on_scene"),
  cleared: tk("assignment.cleared"),
};

export function renderResponder(root: HTMLElement, session: Session): void {
  const shell = el("div", { className: "responder-app" });
  root.append(shell);
  mountAppHeader(shell, session, { title: "responder.title", current: "responder", compact: true });

  const greeting = el("p", { className: "responder-app__greeting" });
  const duty = el("section", { className: "card card--duty" });
  const assignment = el("section", { className: "card card--assignment", attrs: { "aria-live": "assertive" } });
  const alerts = el("section", { className: "card card--alerts" });
  const message = el("p", { className: "responder-app__message", attrs: { role: "alert" } });
  shell.append(el("main", { className: "responder-app__main" }, [greeting, message, assignment, duty, alerts]));

  let busy = false;
  const fail = (err: unknown): void => {
    message.textContent = err instanceof ApiError ? t("responder.actionFailed", { reason: err.message }) : t("error.generic.title");
  };
  const run = (work: () => Promise<void>): void => {
    busy = true;
    message.textContent = "";
    render();
    work()
      .catch(fail)
      .finally(() => {
        busy = false;
        render();
      });
  };

  const render = (): void => {
    const s = getResponderState();
    greeting.textContent = t("responder.greeting", { name: session.me.display_name });
    renderDuty(duty, s, busy, run);
    renderAssignment(assignment, s, busy, run);
    renderAlerts(alerts);
  };
  render();
  onResponderChange(render);
  onLocaleChange(render);
  // Tick only the countdown text: re-rendering the buttons every second could swallow a tap.
  window.setInterval(() => {
    const current = getResponderState().assignment;
    const span = assignment.querySelector<HTMLElement>(".assignment__deadline");
    if (current !== null && span !== null) {
      span.textContent = deadline(current);
    }
  }, 1000);
}

type Runner = (work: () => Promise<void>) => void;

function renderDuty(card: HTMLElement, s: ResponderViewState, busy: boolean, run: Runner): void {
  const button = el("button", {
    className: `btn btn--xl ${s.onDuty ? "btn--danger" : "btn--success"}`,
    i18n: s.onDuty ? "responder.goOffDuty" : "responder.goOnDuty",
    attrs: { type: "button", "aria-pressed": String(s.onDuty) },
  });
  const handlers = s.handlers;
  button.disabled = handlers === null || busy;
  button.addEventListener("click", () => handlers !== null && run(() => handlers.setDuty(!s.onDuty)));
  replaceChildren(card, [
    el("h2", { className: "card__title", i18n: "responder.duty" }),
    el("p", { className: `duty-state${s.onDuty ? " is-on" : ""}`, i18n: s.onDuty ? "responder.onDuty" : "responder.offDuty" }),
    button,
    handlers === null ? el("p", { className: "card__hint", i18n: "responder.notConnected" }) : null,
  ]);
}

function renderAssignment(card: HTMLElement, s: ResponderViewState, busy: boolean, run: Runner): void {
  const a = s.assignment;
  if (a === null) {
    card.classList.remove("is-active");
    replaceChildren(card, [
      el("h2", { className: "card__title", i18n: "responder.assignment" }),
      el("div", { className: "empty" }, [el("p", { i18n: "responder.noAssignment" })]),
    ]);
    return;
  }
  card.classList.add("is-active");
  const handlers = s.handlers;
  const actions = NEXT_ACTIONS[a.state].map((action, index) => {
    const button = el("button", {
      className: `btn btn--xl ${action === "decline" ? "btn--ghost" : index === 0 ? "btn--primary" : ""}`,
      i18n: ACTION_LABELS[action],
      attrs: { type: "button" },
    });
    button.disabled = handlers === null || busy;
    button.addEventListener("click", () => handlers !== null && run(() => handlers.act(a.id, action)));
    return button;
  });
  replaceChildren(card, [
    el("div", { className: "assignment__head" }, [
      el("span", { className: `badge badge--p${a.priority}`, text: t(PRIORITY_LABELS[a.priority]) }),
      el("span", { className: "assignment__state", text: t(STATE_LABELS[a.state]) }),
      a.respond_by === null ? null : el("span", { className: "assignment__deadline", text: deadline(a) }),
    ]),
    el("h2", { className: "assignment__kind", text: a.kind }),
    el("p", { className: "assignment__address", text: a.address }),
    el("div", { className: "assignment__links" }, [
      el("a", { className: "btn btn--link", i18n: "responder.openMap", attrs: { href: amapLink(a), target: "_blank", rel: "noopener" } }),
      el("a", { className: "btn btn--link", i18n: "responder.openNavApp", attrs: { href: `geo:${a.lat},${a.lon}` } }),
    ]),
    el("h3", { className: "assignment__label", i18n: "responder.summary" }),
    el("p", { className: "assignment__summary", text: a.summary }),
    el("div", { className: "assignment__actions" }, actions),
    handlers === null ? el("p", { className: "card__hint", i18n: "responder.notConnected" }) : null,
  ]);
}

function deadline(a: ResponderAssignment): string {
  const left = (Date.parse(a.respond_by ?? "") - Date.now()) / 1000;
  return left >= 0 ? t("responder.respondWithin", { time: formatDuration(left) }) : t("responder.overdue", { time: formatDuration(-left) });
}

/** Amap (高德) marker link: the map app most phones in Shenzhen have. */
function amapLink(a: ResponderAssignment): string {
  const params = new URLSearchParams({ position: `${a.lon},${a.lat}`, name: a.address, coordinate: "wgs84", callnative: "1" });
  return `https://uri.amap.com/marker?${params.toString()}`;
}

function renderAlerts(card: HTMLElement): void {
  const supported = "Notification" in window;
  const permission = supported ? Notification.permission : "denied";
  const key: MessageKey = !supported
    ? "responder.alerts.unsupported"
    : permission === "granted"
      ? "responder.alerts.granted"
      : permission === "denied"
        ? "responder.alerts.denied"
        : "responder.alerts.ask";
  const button =
    supported && permission === "default"
      ? el("button", { className: "btn btn--xl btn--primary", i18n: "responder.alerts.enable", attrs: { type: "button" } })
      : null;
  button?.addEventListener("click", () => {
    void Notification.requestPermission().then(() => renderAlerts(card));
  });
  replaceChildren(card, [
    el("h2", { className: "card__title", i18n: "responder.alerts.title" }),
    el("p", { className: "card__body", i18n: key }),
    button,
  ]);
}
