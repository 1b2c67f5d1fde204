/**
 * The responder app's screen on a phone: the trust banner (offline, position not shared, what
 * is waiting to be sent), the duty switch, the assignment being worked, alert settings, and the
 * offer takeover above everything.
 */

import { type ConnectionStatus, getConnectionStatus, onConnectionChange } from "../shared/connection";
import { el, replaceChildren } from "../shared/dom";
import { onLocaleChange, t, type MessageKey } from "../shared/i18n";
import type { Session } from "../shared/session";
import { mountAppHeader } from "../shared/ui/app-header";
import type { ResponderController } from "./controller";
import { renderOffer } from "./offer-view";
import type { SharingState } from "./position";
import { getResponderState, onResponderChange, type ResponderViewState } from "./responder-state";
import { renderWork } from "./work-view";

const SHARING_PROBLEMS: Partial<Record<SharingState, MessageKey>> = {
  waiting: "responder.banner.positionWaiting",
  held: "responder.banner.positionHeld",
  denied: "responder.banner.positionDenied",
  unavailable: "responder.banner.positionUnavailable",
};

export function renderResponder(root: HTMLElement, session: Session, controller: ResponderController, serverNow: () => number): void {
  const shell = el("div", { className: "responder-app" });
  root.append(shell);
  mountAppHeader(shell, session, { title: "responder.title", current: "responder", compact: true });

  const banner = el("div", { className: "trust-banner", attrs: { role: "status", "aria-live": "polite" } });
  const notice = el("p", { className: "responder-app__notice", attrs: { role: "alert" } });
  const work = el("section", { className: "card work", attrs: { "aria-live": "polite" } });
  const duty = el("section", { className: "card card--duty" });
  const alerts = el("section", { className: "card card--alerts" });
  const takeover = el("div", { className: "takeover" });
  takeover.hidden = true;
  shell.append(banner, el("main", { className: "responder-app__main" }, [notice, work, duty, alerts]), takeover);

  const render = (): void => {
    const s = getResponderState();
    renderBanner(banner, s, getConnectionStatus());
    notice.textContent = s.notice?.text ?? "";
    notice.dataset.kind = s.notice?.kind ?? "";
    if (s.work === null) {
      work.hidden = true;
      delete work.dataset.assignment;
      replaceChildren(work, []);
    } else {
      work.hidden = false;
      renderWork(work, s.work, s.queued, controller);
    }
    renderDuty(duty, s, controller);
    renderAlerts(alerts, s);
    renderOffer(takeover, s.offers[0] ?? null, s.offers.length, controller, serverNow);
    document.body.classList.toggle("has-takeover", s.offers.length > 0);
  };
  render();
  onResponderChange(render);
  onConnectionChange(() => renderBanner(banner, getResponderState(), getConnectionStatus()));
  onLocaleChange(() => {
    takeover.removeAttribute("data-assignment"); // re-word the takeover too
    render();
  });
}

function renderBanner(banner: HTMLElement, s: ResponderViewState, link: ConnectionStatus): void {
  const lines: HTMLElement[] = [];
  const offline = link.state !== "live" && link.state !== "stale";
  if (offline) {
    lines.push(el("p", { className: "trust-banner__line trust-banner__line--offline", i18n: "responder.banner.offline" }));
  }
  const onDuty = s.duty !== null && s.duty !== "off_duty";
  const problem = onDuty ? SHARING_PROBLEMS[s.sharing] : undefined;
  if (problem !== undefined) {
    lines.push(el("p", { className: "trust-banner__line trust-banner__line--position", i18n: problem }));
  }
  if (s.queued.length > 0) {
    lines.push(
      el("p", {
        className: "trust-banner__line trust-banner__line--queue",
        text: t("responder.banner.queued", { n: s.queued.length }),
        dataset: { count: String(s.queued.length) },
      }),
    );
  }
  banner.hidden = lines.length === 0;
  banner.dataset.queued = String(s.queued.length);
  banner.dataset.link = offline ? "down" : "up";
  banner.dataset.sharing = onDuty ? s.sharing : "off";
  replaceChildren(banner, lines);
}

function renderDuty(card: HTMLElement, s: ResponderViewState, controller: ResponderController): void {
  if (s.notResponder) {
    replaceChildren(card, [el("h2", { className: "card__title", i18n: "responder.duty" }), el("p", { className: "card__body", i18n: "responder.notResponder" })]);
    return;
  }
  const known = s.duty !== null;
  const onDuty = known && s.duty !== "off_duty";
  // Going off duty mid-incident is the incident's decision, not a switch on the phone.
  const locked = onDuty && s.duty !== "available";
  const button = el("button", {
    className: `btn btn--xl duty-switch ${onDuty ? "btn--danger" : "btn--success"}`,
    i18n: onDuty ? "responder.goOffDuty" : "responder.goOnDuty",
    attrs: { type: "button", "aria-pressed": String(onDuty) },
  });
  button.disabled = !known || s.dutyBusy || locked;
  button.addEventListener("click", () => void controller.actSetDuty(!onDuty));
  card.dataset.duty = s.duty ?? "unknown";
  replaceChildren(card, [
    el("h2", { className: "card__title", i18n: "responder.duty" }),
    el("p", { className: `duty-state${onDuty ? " is-on" : ""}`, i18n: !known ? "responder.loading" : onDuty ? "responder.onDuty" : "responder.offDuty" }),
    button,
    locked ? el("p", { className: "card__hint", i18n: "responder.dutyLocked" }) : null,
    s.work === null && onDuty && !locked ? el("p", { className: "card__hint", i18n: "responder.waitingForOffers" }) : null,
  ]);
}

function renderAlerts(card: HTMLElement, s: ResponderViewState): void {
  const supported = "Notification" in window;
  const permission = supported ? Notification.permission : "denied";
  const key: MessageKey = !supported
    ? "responder.alerts.unsupported"
    : s.push === "subscribed" && permission === "granted"
      ? "responder.alerts.granted"
      : permission === "denied"
        ? "responder.alerts.denied"
        : "responder.alerts.ask";
  const button =
    supported && permission === "default"
      ? el("button", { className: "btn btn--xl btn--primary", i18n: "responder.alerts.enable", attrs: { type: "button" } })
      : null;
  button?.addEventListener("click", () => {
    void Notification.requestPermission().then(() => renderAlerts(card, getResponderState()));
  });
  card.dataset.push = s.push ?? "pending";
  replaceChildren(card, [el("h2", { className: "card__title", i18n: "responder.alerts.title" }), el("p", { className: "card__body", i18n: key }), button]);
}
