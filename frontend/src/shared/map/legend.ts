/** The legend panel: one switch per map layer module, with its colour key. */

import { el, replaceChildren } from "../dom";
import { onLocaleChange, t } from "../i18n";
import type { LayerStack } from "./layer-stack";

export function mountLegend(parent: HTMLElement, stack: LayerStack): HTMLElement {
  const list = el("div", { className: "legend__list" });
  const root = el("section", { className: "legend panel", attrs: { "aria-labelledby": "legend-title" } }, [
    el("h2", { className: "legend__title", i18n: "legend.title", attrs: { id: "legend-title" } }),
    list,
  ]);
  const render = (): void => {
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
        input.addEventListener("change", () => stack.setVisible(id, input.checked));
        const keys = el(
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
        );
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
