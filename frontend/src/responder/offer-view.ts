/**
 * The offer takeover: fills the screen over everything else while an offer is open. Accept is
 * one tap on the biggest button; declining is one tap on a reason.
 */

import { el, replaceChildren } from "../shared/dom";
import { formatDuration, t, tk, type MessageKey } from "../shared/i18n";
import type { ResponderController } from "./controller";
import { distanceText, etaText, kindName, priorityName, roleAsk, roleName } from "./labels";
import type { Offer } from "./model";

const DECLINE_REASONS: readonly MessageKey[] = [
  tk("responder.decline.tooFar"),
  tk("responder.decline.busy"),
  tk("responder.decline.unsafe"),
  tk("responder.decline.unwell"),
];

export function renderOffer(layer: HTMLElement, offer: Offer | null, waiting: number, controller: ResponderController, serverNow: () => number): void {
  if (offer === null) {
    layer.hidden = true;
    layer.removeAttribute("data-assignment");
    replaceChildren(layer, []);
    return;
  }
  if (layer.dataset.assignment === offer.assignment_id && !layer.hidden) {
    return; // same offer: keep the buttons under the thumb still
  }
  layer.hidden = false;
  layer.dataset.assignment = offer.assignment_id;
  layer.className = `takeover takeover--p${Math.min(offer.priority, 4)}`;

  const accept = el("button", { className: "btn takeover__accept", i18n: "responder.action.accept", attrs: { type: "button" } });
  accept.addEventListener("click", () => controller.actAccept(offer));
  const reasons = el(
    "div",
    { className: "takeover__reasons", attrs: { role: "group", "aria-label": t("responder.decline.title") } },
    DECLINE_REASONS.map((key) => {
      const b = el("button", { className: "btn takeover__reason", i18n: key, attrs: { type: "button" } });
      b.addEventListener("click", () => controller.actDecline(offer, t(key)));
      return b;
    }),
  );
  const facts = el("dl", { className: "takeover__facts" }, [
    fact("responder.offer.distance", distanceText(offer.distance_m)),
    fact("responder.offer.eta", etaText(offer.eta_s)),
  ]);
  const patient =
    offer.patient === null
      ? null
      : el("p", {
          className: "takeover__patient",
          text: t("responder.offer.patient", { name: offer.patient.name, grade: offer.patient.risk_grade }),
        });
  const countdown = el("p", { className: "takeover__countdown" });
  const tickCountdown = (): void => {
    if (offer.expires_at === null || layer.dataset.assignment !== offer.assignment_id) {
      return;
    }
    const left = offer.expires_at - serverNow() / 1000;
    countdown.textContent = left > 0 ? t("responder.offer.answerWithin", { time: formatDuration(left) }) : t("responder.offer.expired");
    window.setTimeout(tickCountdown, 1000);
  };
  tickCountdown();

  replaceChildren(layer, [
    el("div", { className: "takeover__inner", attrs: { role: "alertdialog", "aria-modal": "true", "aria-labelledby": "takeover-kind" } }, [
      el("div", { className: "takeover__head" }, [
        el("span", { className: `badge badge--p${Math.min(offer.priority, 4)}`, text: priorityName(offer.priority) }),
        el("span", { className: "takeover__label", i18n: "responder.offer.title" }),
        waiting > 1 ? el("span", { className: "takeover__more", text: t("responder.offer.more", { n: waiting - 1 }) }) : null,
      ]),
      el("h2", { className: "takeover__kind", text: kindName(offer.kind), attrs: { id: "takeover-kind" } }),
      offer.violent ? el("p", { className: "takeover__danger", i18n: "responder.offer.violent" }) : null,
      el("p", { className: "takeover__address", text: offer.address ?? t("responder.noAddress") }),
      facts,
      el("p", { className: "takeover__ask" }, [
        el("strong", { text: t("responder.offer.asRole", { role: roleName(offer.role) }) }),
        document.createTextNode(roleAsk(offer.role)),
      ]),
      patient,
      countdown,
      accept,
      el("p", { className: "takeover__decline-title", i18n: "responder.decline.title" }),
      reasons,
    ]),
  ]);
  accept.focus();
}

function fact(label: MessageKey, value: string): HTMLElement {
  return el("div", { className: "takeover__fact" }, [el("dt", { i18n: label }), el("dd", { text: value })]);
}
