/**
 * The group chooser (人群): every group the user keeps (a department officer's department's
 * alone) with its department and check interval, or all of them. The choice is kept in the URL (`?group=`) so a reload stays on it, and each tab
 * follows it. The `<select>` is `#ledgers-group`; the chooser carries `data-group` ("" for all).
 */

import { el } from "../shared/dom";
import { onLocaleChange, t } from "../shared/i18n";
import { isLedgerGroup } from "../shared/ledger-terms";
import type { LedgerGroup } from "../shared/types";
import { groupOption, policyText } from "./entry-text";

export interface GroupChooser {
  root: HTMLElement;
  group(): LedgerGroup | null;
  set(group: LedgerGroup | null): void;
}

const PARAM = "group";

/**
 * Mounts the chooser in `parent` over `groups` (those the user keeps), on the group the URL names
 * when it is one of them (else all); `onChange` on each choice.
 */
export function mountGroupChooser(parent: HTMLElement, groups: readonly LedgerGroup[], onChange: (group: LedgerGroup | null) => void): GroupChooser {
  const kept = (value: string | null): value is LedgerGroup => isLedgerGroup(value) && groups.includes(value);
  const fromUrl = new URLSearchParams(window.location.search).get(PARAM);
  let group: LedgerGroup | null = kept(fromUrl) ? fromUrl : null;

  const select = el("select", { className: "field__input group-chooser__select", attrs: { id: "ledgers-group", name: "group" } });
  const policy = el("p", { className: "group-chooser__policy", attrs: { id: "ledgers-group-policy", "aria-live": "polite" } });
  select.setAttribute("aria-describedby", policy.id);
  const root = el("div", { className: "group-chooser" }, [
    el("label", { className: "field__label group-chooser__label", i18n: "ledgers.group.label", attrs: { for: select.id } }),
    select,
    policy,
  ]);
  parent.append(root);

  const draw = (): void => {
    select.replaceChildren(
      el("option", { text: t("ledgers.group.all"), attrs: { value: "" } }),
      ...groups.map((g) => el("option", { text: groupOption(g), attrs: { value: g } })),
    );
    select.value = group ?? "";
    policy.textContent = group === null ? t("ledgers.group.allHint") : policyText(group);
    root.dataset.group = group ?? "";
  };

  const set = (next: LedgerGroup | null): void => {
    group = next;
    const url = new URL(window.location.href);
    if (next === null) {
      url.searchParams.delete(PARAM);
    } else {
      url.searchParams.set(PARAM, next);
    }
    history.replaceState(null, "", url);
    draw();
    onChange(next);
  };

  select.addEventListener("change", () => set(kept(select.value) ? select.value : null));
  draw();
  onLocaleChange(draw);
  return { root, group: () => group, set };
}
