/** A ticking clock (time, and optionally the date) in the current language. */

import { el } from "../dom";
import { formatClock, formatDate, onLocaleChange } from "../i18n";

export function mountClock(parent: HTMLElement, options: { withDate?: boolean } = {}): HTMLElement {
  const time = el("time", { className: "clock__time" });
  const date = options.withDate === true ? el("span", { className: "clock__date" }) : null;
  const root = el("div", { className: "clock" }, [time, date]);
  parent.append(root);
  const render = (): void => {
    const now = new Date();
    time.textContent = formatClock(now);
    time.dateTime = now.toISOString();
    if (date !== null) {
      date.textContent = formatDate(now);
    }
  };
  render();
  onLocaleChange(render);
  // Align ticks to the second boundary so the seconds digit never lags visibly.
  window.setTimeout(() => {
    render();
    window.setInterval(render, 1000);
  }, 1000 - (Date.now() % 1000));
  return root;
}
