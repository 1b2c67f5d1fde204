/**
 * Tabs of a work page (psych, ledgers): a tab bar whose buttons the page chose by the user's
 * permissions, one pane each, the shown tab kept in the URL's hash so a reload stays on it.
 * Showing a tab asks it to fetch (a click on the shown tab fetches again); the page's root
 * carries `data-tab` (the shown one) for styles and tests.
 */

import { el } from "../dom";
import { onLocaleChange, t, type MessageKey } from "../i18n";

/** What a page asks of each tab: its root, and to fetch its data again (on show and after events). */
export interface Tab {
  root: HTMLElement;
  load(): Promise<void>;
}

export interface TabsOptions<T extends string> {
  /** The tabs in display order; the first is shown when the hash names none of them. */
  ids: readonly T[];
  labels: Readonly<Record<T, MessageKey>>;
  /** Each tab's pane (hidden while another is shown). */
  panes: ReadonlyMap<T, HTMLElement>;
  /** The pane's element id, for `aria-controls`. */
  paneId(id: T): string;
  /** Fetches the tab's data (called each time it is shown). */
  load(id: T): void;
}

export interface Tabs<T extends string> {
  /** The tab shown; undefined when the user may see none. */
  shown(): T | undefined;
  show(id: T): void;
}

/**
 * Fills `bar` (a `.tabs` element with `role=tablist`) with a button per tab and shows the one the
 * hash names, else the first. `shell` gets `data-tab`. Call `show(shown())` once the tabs can load.
 */
export function mountTabs<T extends string>(shell: HTMLElement, bar: HTMLElement, options: TabsOptions<T>): Tabs<T> {
  const fromHash = options.ids.find((id) => `#${id}` === window.location.hash);
  let shown: T | undefined = fromHash ?? options.ids[0];

  const draw = (): void => {
    bar.replaceChildren(
      ...options.ids.map((id) => {
        const on = id === shown;
        const b = el("button", {
          className: `tabs__btn${on ? " is-active" : ""}`,
          text: t(options.labels[id]),
          attrs: { type: "button", role: "tab", "aria-selected": String(on), "aria-controls": options.paneId(id) },
          dataset: { tab: id },
        });
        b.addEventListener("click", () => show(id));
        return b;
      }),
    );
    for (const [id, pane] of options.panes) {
      pane.hidden = id !== shown;
    }
    shell.dataset.tab = shown ?? "";
  };

  const show = (id: T): void => {
    shown = id;
    if (window.location.hash !== `#${id}`) {
      history.replaceState(null, "", `#${id}`);
    }
    draw();
    options.load(id);
  };

  draw();
  onLocaleChange(draw);
  return { shown: () => shown, show };
}
