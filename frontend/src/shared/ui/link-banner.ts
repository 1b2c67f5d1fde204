/**
 * A banner across the map while the live link is down or silent, so people looking at a wall
 * from across the room know the picture may be out of date (the header chip is too small).
 */

import { onConnectionChange, type ConnectionState } from "../connection";
import { el } from "../dom";
import { onLocaleChange, t, tk, type MessageKey } from "../i18n";

const TEXT: Partial<Record<ConnectionState, MessageKey>> = {
  reconnecting: tk("connection.bannerReconnecting"),
  stale: tk("connection.bannerStale"),
};

/** Appends the banner to `parent`; hidden while the link is live (or before it first was). */
export function mountLinkBanner(parent: HTMLElement): HTMLElement {
  const root = el("div", { className: "link-banner", attrs: { role: "alert" } });
  let key: MessageKey | undefined;
  const render = (): void => {
    root.hidden = key === undefined;
    root.textContent = key === undefined ? "" : t(key);
  };
  onConnectionChange((status) => {
    key = TEXT[status.state];
    root.dataset.state = status.state;
    render();
  });
  onLocaleChange(render);
  parent.append(root);
  return root;
}
