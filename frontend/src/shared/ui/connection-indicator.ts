/** The live / reconnecting / stale / offline badge shown in every view's header. */

import { onConnectionChange, type ConnectionState, type ConnectionStatus } from "../connection";
import { el } from "../dom";
import { onLocaleChange, t, tk, type MessageKey } from "../i18n";

const LABELS: Record<ConnectionState, MessageKey> = {
  connecting: tk("connection.connecting"),
  live: tk("connection.live"),
  reconnecting: tk("connection.reconnecting"),
  stale: tk("connection.stale"),
  offline: tk("connection.offline"),
};

/** Appends the indicator to `parent`; it follows `setConnectionState` until the page unloads. */
export function mountConnectionIndicator(parent: HTMLElement): HTMLElement {
  const dot = el("span", { className: "conn__dot", attrs: { "aria-hidden": "true" } });
  const label = el("span", { className: "conn__label" });
  const detail = el("span", { className: "conn__detail" });
  const root = el("div", { className: "conn", attrs: { role: "status", "aria-live": "polite" } }, [dot, label, detail]);
  parent.append(root);

  let last: ConnectionStatus | null = null;
  const render = (): void => {
    if (last === null) {
      return;
    }
    root.dataset.state = last.state;
    label.textContent = t(LABELS[last.state]);
    detail.textContent = describe(last);
  };
  onConnectionChange((status) => {
    last = status;
    render();
  });
  onLocaleChange(render);
  // "last update 42 s ago" must keep counting while nothing arrives.
  window.setInterval(render, 1000);
  return root;
}

function describe(status: ConnectionStatus): string {
  if (status.state === "live" || status.lastMessageAt === null) {
    return status.state === "reconnecting" && status.attempt > 0
      ? t("connection.attempt", { n: status.attempt })
      : "";
  }
  const seconds = Math.max(0, Math.round((Date.now() - status.lastMessageAt) / 1000));
  return t("connection.lastUpdate", { s: seconds });
}
