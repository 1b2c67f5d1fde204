/**
 * The leader's governance overview (治理概览) tab: each unit of a chosen level with its
 * outstanding work across the services — warnings, ledgers, rental houses, disputes — the most
 * urgent first, and the jurisdiction's total (`governance-table.ts`).
 *
 * Fetched each time the tab is shown, and after warning events, steps on disputes, ledger
 * registrations, checks and closings, and rental inspections (`dispute.updated`,
 * `ledger.updated`, `rental.updated`) on the `leader` topic while it is shown (`handler`: one fetch after a burst); events while it is hidden are let go, as
 * showing it fetches anyway.
 * The section carries `data-loaded` and `data-fetches` (answers drawn so far) for tests.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange } from "../shared/i18n";
import type { TopicHandler } from "../shared/realtime";
import type { GovernanceLevel, GovernanceOverview, Me } from "../shared/types";
import { onWarningChanges } from "../shared/warnings/warning-events";
import { mountGovernanceTable } from "./governance-table";
import { getGovernanceUnits } from "./leader-api";
import { levelsBelow } from "./warning-units";

export interface GovernanceTab {
  /** Give it to `startLiveFeed({ listeners })` for the `leader` topic. */
  handler: TopicHandler;
  /** The tab was shown (it fetches) or hidden. */
  setVisible(visible: boolean): void;
}

export interface GovernanceTabOptions {
  me: Me;
  /** Shows the 预警 tab. */
  openWarnings(): void;
}

export function mountGovernanceTab(parent: HTMLElement, options: GovernanceTabOptions): GovernanceTab {
  const levels = levelsBelow(options.me.org_unit);
  let level: GovernanceLevel | null = levels[0] ?? null;
  let overview: GovernanceOverview | null = null;
  let problem: unknown = null;
  let visible = false;
  let round = 0; // the newest fetch; older answers are dropped

  const table = mountGovernanceTable({
    levels,
    menus: options.me.menus,
    openWarnings: options.openWarnings,
    onLevel(next) {
      level = next;
      overview = null;
      render();
      void load();
    },
  });
  const errorBox = el("div", { className: "lwarn__error" });
  const root = el("section", { className: "panel gov", dataset: { loaded: "false", fetches: "0" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "leader.governance.title" })]),
    el("p", { className: "gov__hint", i18n: "leader.governance.hint" }),
    errorBox,
    level === null ? el("p", { className: "empty", i18n: "leader.governance.none" }) : table.root,
  ]);
  parent.append(root);

  async function load(): Promise<void> {
    const asked = level;
    if (asked === null) {
      return;
    }
    const mine = ++round;
    try {
      const answer = await getGovernanceUnits(asked);
      if (mine !== round) {
        return;
      }
      overview = answer;
      problem = null;
      root.dataset.fetches = String(Number(root.dataset.fetches ?? "0") + 1);
    } catch (err) {
      if (mine !== round) {
        return;
      }
      problem = err; // what was shown stays, under the error
    }
    render();
  }

  function render(): void {
    root.dataset.loaded = String(overview !== null);
    replaceChildren(errorBox, []);
    if (problem !== null) {
      const failed = el("p", { className: "field__error" });
      showErrorText(failed, describeError(problem), problem);
      errorBox.append(failed);
    }
    if (level !== null) {
      table.render(level, overview);
    }
  }

  render();
  onLocaleChange(render);

  return {
    handler: onWarningChanges(
      () => {
        if (visible) {
          void load();
        }
      },
      ["dispute.updated", "ledger.updated", "rental.updated"],
    ),
    setVisible(next) {
      visible = next;
      if (visible) {
        void load();
      }
    },
  };
}
