/** A two-button 中文 / EN switch. */

import { el } from "../dom";
import { getLocale, LOCALES, onLocaleChange, setLocale, t, tk, type Locale, type MessageKey } from "../i18n";

const NAMES: Record<Locale, MessageKey> = { "zh-CN": tk("lang.zh"), en: tk("lang.en") };

export function mountLanguageSwitch(parent: HTMLElement): HTMLElement {
  const root = el("div", { className: "lang", attrs: { role: "group", "aria-label": t("lang.label") } });
  const buttons = LOCALES.map((locale) => {
    const button = el("button", { className: "lang__btn", i18n: NAMES[locale], attrs: { type: "button", lang: locale } });
    button.addEventListener("click", () => setLocale(locale));
    root.append(button);
    return [locale, button] as const;
  });
  const render = (): void => {
    root.setAttribute("aria-label", t("lang.label"));
    for (const [locale, button] of buttons) {
      button.setAttribute("aria-pressed", String(locale === getLocale()));
    }
  };
  render();
  onLocaleChange(render);
  parent.append(root);
  return root;
}
