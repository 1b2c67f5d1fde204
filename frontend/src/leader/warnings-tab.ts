/**
 * The leader's early warnings (预警) tab, for the jurisdiction: the live totals (open, in hand,
 * serious), the warnings per street, community or grid (`warning-units.ts`), and the live
 * warnings themselves as the shared cards, each open one with "take in hand"; a toggle adds the
 * recently resolved ones with their resolution. Picking a unit filters both lists to it.
 *
 * Leaders see no patient names here: the cards name the unit, never the subject, and nothing
 * here reads a patient's record.
 *
 * Kept current by the `leader` topic (`handler`): after warning events it fetches everything
 * while the tab is shown; while hidden only the totals (for the tab's badge), and the rest is
 * fetched when the tab is shown again. `onTotals` reports every new set of totals.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { localName, onLocaleChange, t } from "../shared/i18n";
import type { TopicHandler } from "../shared/realtime";
import type { Me, UnitWarnings, WarningPage, WarningUnitLevel, WarningView } from "../shared/types";
import { onWarningChanges } from "../shared/warnings/warning-events";
import { takeWarningInHand, unitOf, warningCard } from "../shared/warnings/warning-card";
import { getWarnings, getWarningTotals, getWarningUnits, type WarningTotals } from "../shared/warnings/warnings-api";
import { isWithin, levelsBelow, mountUnitsTable } from "./warning-units";

/** The most the server lists at once; the totals say how many there are in all. */
const LIVE_LIMIT = 500;
const RESOLVED_LIMIT = 100;

export interface WarningsTab {
  /** Give it to `startLiveFeed({ listeners })` for the `leader` topic. */
  handler: TopicHandler;
  /** The tab was shown or hidden. */
  setVisible(visible: boolean): void;
}

export interface WarningsTabOptions {
  me: Me;
  /** The server's clock, in ms (days late are counted from it). */
  now(): number;
  onTotals(totals: WarningTotals): void;
}

export function mountWarningsTab(parent: HTMLElement, options: WarningsTabOptions): WarningsTab {
  const levels = levelsBelow(options.me.org_unit);
  let level: WarningUnitLevel | null = levels[0] ?? null;
  let units: UnitWarnings[] | null = null;
  let live: WarningPage | null = null;
  let resolved: WarningPage | null = null;
  let showResolved = false;
  let picked: UnitWarnings | null = null;
  let problem: unknown = null;
  let visible = false;
  let stale = true; // nothing fetched yet
  let round = 0; // the newest fetch; older answers are dropped

  const totalsBox = el("div", { className: "lwarn__totals" });
  const table = mountUnitsTable(
    levels,
    (next) => {
      level = next;
      picked = null;
      units = null;
      render();
      void load();
    },
    (unit) => {
      picked = picked?.org_path === unit.org_path ? null : unit;
      render();
    },
  );
  const listHead = el("div", { className: "lwarn__subhead" });
  const listBox = el("div", { className: "lwarn__list-box" });
  const resolvedBox = el("div", { className: "lwarn__resolved-box" });
  const errorBox = el("div", { className: "lwarn__error" });
  const root = el("section", { className: "panel lwarn" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "leader.warnings.title" })]),
    totalsBox,
    errorBox,
    level === null ? null : table.root,
    listHead,
    listBox,
    resolvedBox,
  ]);
  parent.append(root);

  const publishTotals = (totals: WarningTotals): void => {
    renderTotals(totalsBox, totals);
    options.onTotals(totals);
  };

  /** Fetches all the tab shows: the live list (its page carries the totals), the units of the
   * level, and the resolved ones when asked for. The newest fetch wins. */
  async function load(): Promise<void> {
    const mine = ++round;
    const [liveAnswer, unitsAnswer, resolvedAnswer] = await Promise.allSettled([
      getWarnings("live", LIVE_LIMIT),
      level === null ? Promise.resolve(null) : getWarningUnits(level),
      showResolved ? getWarnings("resolved", RESOLVED_LIMIT) : Promise.resolve(null),
    ]);
    if (mine !== round) {
      return;
    }
    problem = [liveAnswer, unitsAnswer, resolvedAnswer].find((a) => a.status === "rejected")?.reason ?? null;
    if (liveAnswer.status === "fulfilled") {
      live = liveAnswer.value;
      stale = false;
      publishTotals(live);
    }
    if (unitsAnswer.status === "fulfilled" && unitsAnswer.value !== null && unitsAnswer.value.level === level) {
      units = unitsAnswer.value.units;
    }
    if (resolvedAnswer.status === "fulfilled" && resolvedAnswer.value !== null) {
      resolved = resolvedAnswer.value;
    }
    render();
  }

  const loadTotals = async (): Promise<void> => {
    try {
      publishTotals(await getWarningTotals());
    } catch (err) {
      console.warn("warning totals could not be refreshed", err);
    }
  };

  const changed = (): void => {
    if (visible) {
      void load();
    } else {
      stale = true;
      void loadTotals();
    }
  };

  const takeInHand = async (w: WarningView): Promise<void> => {
    await takeWarningInHand(w, [unitOf(w)]);
    void load(); // also after a 409 (someone was faster): the card then says who
  };

  const cards = (page: WarningPage | null): HTMLElement => {
    const shown = (page?.items ?? []).filter((w) => picked === null || isWithin(w.org_path, picked.org_path));
    return el(
      "ol",
      { className: "lwarn__list", dataset: { count: String(shown.length) } },
      shown.map((w) => warningCard(w, { now: options.now(), ...(w.state === "open" ? { onTake: () => void takeInHand(w) } : {}) })),
    );
  };

  const emptyText = (key: "leader.warnings.none" | "leader.warnings.noneResolved"): HTMLElement =>
    el("p", { className: "empty", text: picked === null ? t(key) : t("leader.warnings.noneInUnit", { name: localName(picked) }) });

  function render(): void {
    root.dataset.loaded = String(live !== null);
    root.dataset.filter = picked?.org_path ?? "";
    replaceChildren(errorBox, []);
    if (problem !== null) {
      const failed = el("p", { className: "field__error" });
      showErrorText(failed, describeError(problem), problem);
      errorBox.append(failed);
    }
    if (level !== null) {
      table.render({ level, units, picked: picked?.org_path ?? null });
    }

    const toggle = el("button", {
      className: `btn btn--ghost btn--small lwarn__toggle${showResolved ? " is-active" : ""}`,
      i18n: showResolved ? "leader.warnings.hideResolved" : "leader.warnings.showResolved",
      attrs: { type: "button", "aria-pressed": String(showResolved) },
    });
    toggle.addEventListener("click", () => {
      showResolved = !showResolved;
      render();
      if (showResolved) {
        void load();
      }
    });
    let chip: HTMLElement | null = null;
    if (picked !== null) {
      chip = el("button", { className: "lwarn__filter", text: t("leader.warnings.filter", { name: localName(picked) }), attrs: { type: "button", title: t("leader.warnings.clearFilter") } });
      chip.addEventListener("click", () => {
        picked = null;
        render();
      });
    }
    replaceChildren(listHead, [el("h3", { className: "lwarn__subtitle", i18n: "leader.warnings.list" }), chip, toggle]);

    if (live === null) {
      replaceChildren(listBox, [el("p", { className: "empty", i18n: "state.loading" })]);
    } else {
      const list = cards(live);
      const total = live.open + live.acknowledged;
      const more = live.items.length < total ? el("p", { className: "lwarn__more", text: t("leader.warnings.truncated", { shown: live.items.length, total }) }) : null;
      replaceChildren(listBox, [list.childElementCount === 0 ? emptyText("leader.warnings.none") : null, list, more]);
    }

    if (!showResolved) {
      replaceChildren(resolvedBox, []);
      return;
    }
    const title = el("h3", { className: "lwarn__subtitle", i18n: "leader.warnings.resolved" });
    if (resolved === null) {
      replaceChildren(resolvedBox, [title, el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    const list = cards(resolved);
    list.classList.add("lwarn__list--resolved");
    replaceChildren(resolvedBox, [title, list.childElementCount === 0 ? emptyText("leader.warnings.noneResolved") : null, list]);
  }

  render();
  onLocaleChange(render);
  void loadTotals(); // the badge, before anyone opens the tab

  return {
    handler: onWarningChanges(changed),
    setVisible(next) {
      visible = next;
      if (visible && stale) {
        void load();
      }
    },
  };
}

/** The three live figures: open, in hand, serious (in the alarm colour when any). */
function renderTotals(box: HTMLElement, totals: WarningTotals): void {
  const figure = (kind: string, label: "leader.warnings.open" | "leader.warnings.acknowledged" | "leader.warnings.serious", value: number, alarm: boolean): HTMLElement =>
    el("div", { className: `lwarn__total${alarm ? " is-alarm" : ""}`, dataset: { kind, value: String(value) } }, [
      el("b", { className: "lwarn__total-value", text: String(value) }),
      el("span", { className: "lwarn__total-label", i18n: label }),
    ]);
  replaceChildren(box, [
    figure("open", "leader.warnings.open", totals.open, false),
    figure("acknowledged", "leader.warnings.acknowledged", totals.acknowledged, false),
    figure("serious", "leader.warnings.serious", totals.serious, totals.serious > 0),
  ]);
}
