/**
 * Ledgers of special and vulnerable groups (特殊人群困难群体台账) for the case workers who keep
 * them and the leaders who read them. A group chooser (every group, or one, with its department
 * and check interval) above the tabs (`access.ts`): 台账 (the overdue warnings across the top,
 * the entries, the entry with its checks and, for those who keep the ledger, the check and close
 * forms), 待建档 (people to register; ledger:write), 统计 (each unit's figures). A tab fetches
 * its data each time it is shown and after the events and writes that touch it.
 */

import { el } from "../shared/dom";
import { labelOf, localName, onLocaleChange, t } from "../shared/i18n";
import { DEPARTMENT_NAMES, LEDGER_GROUPS } from "../shared/ledger-terms";
import type { Session } from "../shared/session";
import type { LedgerCheckRecorded, LedgerDepartment, LedgerEntryRecorded, LedgerGroup } from "../shared/types";
import { mountAppHeader } from "../shared/ui/app-header";
import { mountTabs, type Tab } from "../shared/ui/tabs";
import { showToast } from "../shared/ui/toast";
import { accessOf, type LedgerTab } from "./access";
import { mountEntryList } from "./entry-list";
import { mountEntryPanel } from "./entry-panel";
import { personName } from "./entry-text";
import { mountGroupChooser } from "./group-chooser";
import { TABS } from "./labels";
import { startRuleLive } from "../shared/warnings/rule-live";
import { mountRulePanel } from "../shared/warnings/rule-panel";
import { mountPendingTab } from "./pending-tab";
import { mountSummaryTab } from "./summary-tab";

const NARROW = "(max-width: 900px)";

/** Builds the page in `root` for the signed-in user and starts its live link. */
export function renderLedgers(root: HTMLElement, session: Session): void {
  const access = accessOf(session.me);
  // data-live: "socket", or "polling" once the warnings topic was refused
  const shell = el("div", { className: "ledgers", dataset: { level: access.level, write: String(access.write), live: "socket" } });
  root.append(shell);
  mountAppHeader(shell, session, { title: "ledgers.title", current: "ledgers" });

  const unit = el("p", { className: "ledgers__unit", attrs: { id: "ledgers-unit" } });
  const chooserHost = el("div", { className: "ledgers__chooser" });
  const tabBar = el("div", { className: "tabs ledgers__tabs", attrs: { role: "tablist", "aria-labelledby": "ledgers-unit" } });
  const panes = new Map<LedgerTab, HTMLElement>();
  for (const id of access.tabs) {
    panes.set(id, el("div", { className: `ledgers__pane ledgers__pane--${id}`, attrs: { role: "tabpanel", id: `ledgers-pane-${id}` }, dataset: { tab: id } }));
  }
  shell.append(el("div", { className: "ledgers__top" }, [el("div", { className: "ledgers__head" }, [unit, chooserHost]), tabBar]), el("div", { className: "ledgers__body" }, [...panes.values()]));

  const now = (): number => client.serverNow();
  const tabs = new Map<LedgerTab, Tab>();
  const chooser = mountGroupChooser(chooserHost, access.groups, () => groupChanged());
  const group = (): LedgerGroup | null => chooser.group();

  // 台账: warnings across the top, the list | the entry.
  let reloadEntries: (() => void) | null = null;
  let refreshEntry: ((id: string | null) => void) | null = null;
  let redrawWarnings: (() => void) | null = null;
  const entriesPane = panes.get("entries");
  if (entriesPane !== undefined) {
    const top = el("div", { className: "ledger-work__warnings" });
    const left = el("aside", { className: "ledger-work__list" });
    const right = el("main", { className: "ledger-work__entry" });
    entriesPane.append(el("div", { className: "ledger-work" }, [top, left, right]));
    const select = (entryId: string): void => {
      list.setSelected(entryId);
      void panel.show(entryId);
      if (window.matchMedia(NARROW).matches) {
        panel.root.scrollIntoView({ block: "start", behavior: "smooth" });
      }
    };
    // The list first: the warnings then know the names of the people it holds.
    const reload = (): void => {
      void list.load().then(() => (warnings === null ? undefined : warnings.load()));
    };
    const list = mountEntryList(left, { group, mine: access.write, onSelect: select, now });
    const warnings = access.readWarnings
      ? mountRulePanel(top, {
          rule: "ledger_check_overdue",
          className: "ledger-warnings",
          titleId: "ledgers-warnings-title",
          title: "ledgers.warnings.title",
          countText: "ledgers.warnings.count",
          none: "ledgers.warnings.none",
          limit: 200,
          shows: (w) => {
            const chosen = group();
            return chosen === null || w.details.group === chosen;
          },
          take: access.takeWarnings,
          onSelect: select,
          nameOf: (id) => list.nameOf(id),
          onChanged: reload,
          now,
        })
      : null;
    const panel = mountEntryPanel(right, {
      write: access.write,
      now,
      onChecked: (result) => {
        showToast(checkedText(result));
        reload();
      },
      onClosed: (entry) => {
        showToast(t("ledgers.close.done", { person: personName(entry) }));
        reload();
      },
    });
    reloadEntries = reload;
    refreshEntry = (id) => void panel.refresh(id);
    redrawWarnings = () => warnings?.redraw();
    tabs.set("entries", { root: entriesPane, load: async () => reload() });
  }
  const pendingPane = panes.get("pending");
  if (pendingPane !== undefined) {
    tabs.set(
      "pending",
      mountPendingTab(pendingPane, {
        group,
        groups: access.groups,
        choose: (g) => chooser.set(g),
        me: session.me,
        onRegistered: (result) => showToast(registeredText(result)),
      }),
    );
  }
  const summaryPane = panes.get("summary");
  const summary = summaryPane === undefined ? null : mountSummaryTab(summaryPane, access, group);
  if (summary !== null) {
    tabs.set("summary", summary);
  }

  const bar = mountTabs(shell, tabBar, {
    ids: access.tabs,
    labels: TABS,
    panes,
    paneId: (id) => `ledgers-pane-${id}`,
    load: (id) => void tabs.get(id)?.load(),
  });

  /** Another group: the shown tab fetches it; the summary holds every group already. */
  function groupChanged(): void {
    redrawWarnings?.();
    summary?.redraw();
    const shown = bar.shown();
    if (shown !== undefined && shown !== "summary") {
      void tabs.get(shown)?.load();
    }
  }

  // Overdue-check warnings, and every registration, check and closing made elsewhere (topic
  // `ledgers`): the entries again, and the entry shown when it is the one.
  const client = startRuleLive(
    access.groups.length < LEDGER_GROUPS.length ? [] : "ledger_check_overdue",
    {
      lists: () => {
        if (bar.shown() === "entries") {
          reloadEntries?.();
        }
      },
      subject: (id) => refreshEntry?.(id),
      polling: () => {
        shell.dataset.live = "polling";
      },
    },
    { topic: "ledgers", subjectKey: "entry_id" },
  );

  const drawUnit = (): void => {
    const where = localName(session.me.org_unit);
    const department = session.me.department ?? null;
    if (department !== null && access.groups.length < LEDGER_GROUPS.length) {
      unit.textContent = t("ledgers.unitDepartment", { unit: where, department: labelOf(DEPARTMENT_NAMES, department as LedgerDepartment) });
      return;
    }
    unit.textContent = t(access.write ? "ledgers.unit" : "ledgers.unitReadOnly", { unit: where });
  };
  drawUnit();
  onLocaleChange(drawUnit);
  const first = bar.shown();
  if (first === undefined) {
    shell.append(el("p", { className: "empty", i18n: "ledgers.noTabs" }));
    return;
  }
  bar.show(first);
}

function checkedText(result: LedgerCheckRecorded): string {
  if (result.duplicate) {
    return t("ledgers.check.duplicate");
  }
  return result.resolved_warnings.length > 0 ? t("ledgers.check.recordedResolved") : t("ledgers.check.recorded");
}

function registeredText(result: LedgerEntryRecorded): string {
  return t(result.duplicate ? "ledgers.register.duplicate" : "ledgers.register.done", { person: personName(result.entry) });
}
