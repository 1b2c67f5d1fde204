/**
 * The wall's live early-warning figure in the header: "预警 N · 严重 M" for the wall's
 * jurisdiction (N live: open and in hand), the serious count in the alarm colour when any.
 * From the totals of `GET /api/warnings?state=live&limit=1`, fetched at start, after warning
 * events of the `wall` topic, and every minute. The route needs `patient:read`: a wall user
 * without it (an admin) gets a 403 and the figure stays hidden, silently and for good.
 * Carries `data-warnings` and `data-serious` once loaded.
 */

import { el } from "../shared/dom";
import { ApiError } from "../shared/http";
import type { TopicHandler } from "../shared/realtime";
import { onWarningChanges } from "../shared/warnings/warning-events";
import { getWarningTotals } from "../shared/warnings/warnings-api";

const REFRESH_MS = 60_000;

/** Appends the figure to `parent`; returns the handler to give `startLiveFeed({ listeners })`. */
export function mountWarningFigure(parent: HTMLElement): TopicHandler {
  const live = el("b", { className: "wall-warnings__value" });
  const serious = el("b", { className: "wall-warnings__value wall-warnings__value--serious" });
  const root = el("div", { className: "wall-warnings", attrs: { role: "status", "data-i18n-title": "wall.warnings.title" } }, [
    el("span", { className: "wall-warnings__label", i18n: "wall.warnings.label" }),
    live,
    el("span", { className: "wall-warnings__sep", text: "·", attrs: { "aria-hidden": "true" } }),
    el("span", { className: "wall-warnings__label", i18n: "wall.warnings.serious" }),
    serious,
  ]);
  root.hidden = true; // until the first answer; for good without the permission
  parent.append(root);

  let forbidden = false;
  let round = 0;
  let timer: number | undefined;
  const refresh = async (): Promise<void> => {
    if (forbidden) {
      return;
    }
    const mine = ++round;
    try {
      const totals = await getWarningTotals();
      if (mine !== round) {
        return;
      }
      const count = totals.open + totals.acknowledged;
      live.textContent = String(count);
      serious.textContent = String(totals.serious);
      root.dataset.warnings = String(count);
      root.dataset.serious = String(totals.serious);
      root.classList.toggle("is-alarm", totals.serious > 0);
      root.hidden = false;
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        forbidden = true;
        window.clearInterval(timer);
        root.remove();
        return;
      }
      console.warn("warning totals could not be refreshed", err); // the last figure stays
    }
  };
  void refresh();
  timer = window.setInterval(() => void refresh(), REFRESH_MS);
  return onWarningChanges(() => void refresh());
}
