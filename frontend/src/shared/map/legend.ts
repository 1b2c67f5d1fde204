/** The legend panel: one switch per map layer module, with its colour key. */

import { el, replaceChildren } from "../dom";
import { onLocaleChange, t } from "../i18n";
import { OVERLAYS_CHANGED } from "./frame";
import type { LayerStack } from "./layer-stack";

export interface LegendOptions {
  /** Start folded to its title: for maps too small to give a quarter of themselves to the key. */
  collapsed?: boolean;
}

export function mountLegend(parent: HTMLElement, stack: LayerStack, options: LegendOptions = {}): HTMLElement {
  const list = el("div", { className: "legend__list", attrs: { id: "legend-list" } });
  const fold = el("button", {
    className: "legend__title",
    attrs: { type: "button", id: "legend-title", "aria-controls": "legend-list" },
  });
  const root = el("section", { className: "legend panel", attrs: { "aria-labelledby": "legend-title" } }, [fold, list]);
  const setOpen = (open: boolean): void => {
    fold.setAttribute("aria-expanded", String(open));
    list.hidden = !open;
    root.classList.toggle("is-folded", !open);
  };
  // The maps frame their district clear of the legend: a legend that changed size says so.
  const changed = (): void => {
    root.dispatchEvent(new CustomEvent(OVERLAYS_CHANGED, { bubbles: true }));
  };
  setOpen(options.collapsed !== true);
  fold.addEventListener("click", () => {
    setOpen(list.hidden);
    changed();
  });
  const render = (): void => {
    fold.textContent = t("legend.title");
    replaceChildren(
      list,
      // Top-most layer first, as the eye reads the map.
      stack
        .summary()
        .filter(({ module }) => module.inLegend !== false)
        .reverse()
        .map(({ id, module, visible }) => {
          const input = el("input", { className: "legend__toggle", attrs: { type: "checkbox", id: `layer-${id}` } });
          input.checked = visible;
          input.addEventListener("change", () => {
            stack.setVisible(id, input.checked);
            changed();
          });
          // A layer that is off shows its name only: its colour key would be a key to nothing,
          // and on the wall the keys of every layer together covered a quarter of the map.
          const keys = visible
            ? el(
                "ul",
                { className: "legend__keys" },
                module.legend.map((entry) =>
                  el("li", { className: "legend__key" }, [
                    el("span", {
                      className: `swatch swatch--${entry.shape}`,
                      attrs: { "aria-hidden": "true" },
                      dataset: { color: entry.color },
                    }),
                    el("span", { text: t(entry.label) }),
                  ]),
                ),
              )
            : null;
          return el("div", { className: `legend__item${visible ? "" : " is-off"}` }, [
            el("label", { className: "legend__label", attrs: { for: `layer-${id}` } }, [
              input,
              el("span", { className: "legend__name", text: t(module.title) }),
            ]),
            keys,
          ]);
        }),
    );
    paintSwatches(list);
  };
  render();
  stack.onChange(render);
  onLocaleChange(render);
  parent.append(root);
  return root;
}

/** Swatch colours come from the layer theme, so they are set as a CSS variable, not a style rule. */
function paintSwatches(root: HTMLElement): void {
  for (const swatch of root.querySelectorAll<HTMLElement>(".swatch[data-color]")) {
    swatch.style.setProperty("--swatch", swatch.dataset.color ?? "transparent");
  }
}
