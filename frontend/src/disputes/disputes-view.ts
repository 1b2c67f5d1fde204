/**
 * Dispute screening and mediation (矛盾纠纷排查调处) for the comprehensive-governance centres
 * up and down the tree (district, street, community) and the grid workers who meet disputes on
 * their rounds. Tabs (`access.ts`): 纠纷 (the high-risk and overdue warnings across the top, the
 * disputes by filter, the dispute with its history and, where the user's jurisdiction holds it,
 * the steps; the register form), 排查 (each unit's weekly screening, and the user's own report),
 * 统计 (each unit's figures). A tab fetches its data each time it is shown and after the events
 * and writes that touch it. The page borrows the ledger page's layout, forms and chips (its shell
 * is `.ledgers.disputes`); only what is new is in disputes.css.
 */

import { formatDay } from "../shared/dates";
import { RISK_NAMES } from "../shared/dispute-terms";
import { el } from "../shared/dom";
import { labelOf, localName, onLocaleChange, t } from "../shared/i18n";
import type { Session } from "../shared/session";
import type { DisputeRecorded } from "../shared/types";
import type { RealtimeClient } from "../shared/realtime";
import { mountAppHeader } from "../shared/ui/app-header";
import { mountTabs, type Tab } from "../shared/ui/tabs";
import { showToast } from "../shared/ui/toast";
import { startRuleLive } from "../shared/warnings/rule-live";
import { mountRulePanel } from "../shared/warnings/rule-panel";
import { accessOf, type DisputeTab } from "./access";
import { mountDisputeList } from "./dispute-list";
import { mountDisputePanel } from "./dispute-panel";
import { linkedText } from "./dispute-parties";
import { learnNames } from "./dispute-text";
import { OUTCOMES, TABS } from "./labels";
import { mountRegisterForm } from "./register-form";
import { mountScreeningTab } from "./screening-tab";
import type { StepKind } from "./step-forms";
import { mountSummaryTab } from "./summary-tab";
import { createUnitNames, type UnitNames } from "./unit-names";

const NARROW = "(max-width: 900px)";
const RULES = ["dispute_high_risk", "dispute_overdue"] as const;

/** Builds the page in `root` for the signed-in user and starts its live link. */
export function renderDisputes(root: HTMLElement, session: Session): void {
  const access = accessOf(session.me);
  const unitRef = session.me.org_unit;
  const names = createUnitNames(unitRef);
  // data-live: "socket", or "polling" once the warnings topic was refused
  const shell = el("div", { className: "ledgers disputes", dataset: { level: access.level, write: String(access.write), live: "socket" } });
  root.append(shell);
  mountAppHeader(shell, session, { title: "disputes.title", current: "disputes" });

  const unit = el("p", { className: "ledgers__unit", attrs: { id: "disputes-unit" } });
  const tabBar = el("div", { className: "tabs ledgers__tabs", attrs: { role: "tablist", "aria-labelledby": "disputes-unit" } });
  const panes = new Map<DisputeTab, HTMLElement>();
  for (const id of access.tabs) {
    panes.set(id, el("div", { className: `disputes__pane disputes__pane--${id}`, attrs: { role: "tabpanel", id: `disputes-pane-${id}` }, dataset: { tab: id } }));
  }
  shell.append(el("div", { className: "ledgers__top" }, [el("div", { className: "ledgers__head" }, [unit]), tabBar]), el("div", { className: "ledgers__body" }, [...panes.values()]));

  // the server's clock once the live link is up (the screening tab asks for this week at once)
  let client: RealtimeClient | null = null;
  const now = (): number => client?.serverNow() ?? Date.now();
  const tabs = new Map<DisputeTab, Tab>();

  // 纠纷: warnings across the top, the list | the register form and the dispute.
  let reloadList: (() => void) | null = null;
  let refreshDispute: ((id: string | null) => void) | null = null;
  const listPane = panes.get("list");
  if (listPane !== undefined) {
    const top = el("div", { className: "ledger-work__warnings dispute-warnings" });
    const left = el("aside", { className: "ledger-work__list" });
    const right = el("main", { className: "ledger-work__entry dispute-work__entry" });
    const registerHost = el("div", { className: "dispute__register" });
    right.append(registerHost);
    listPane.append(el("div", { className: "ledger-work" }, [top, left, right]));

    const select = (disputeId: string): void => {
      list.setSelected(disputeId);
      void panel.show(disputeId);
      if (window.matchMedia(NARROW).matches) {
        panel.root.scrollIntoView({ block: "start", behavior: "smooth" });
      }
    };
    // The list and the warnings together: a card names its dispute from the warning's details.
    const reload = (): void => {
      void Promise.all([list.load(), ...warnings.map((w) => w.load())]);
    };
    const closeRegister = (): void => {
      registerHost.replaceChildren();
    };
    const openRegister = (): void => {
      closeRegister(); // a new opening is a new dispute: a new id
      const form = mountRegisterForm(registerHost, {
        unit: unitRef,
        onCancel: closeRegister,
        onRecorded: (result) => {
          closeRegister();
          showToast(registeredText(result));
          reload();
          select(result.dispute.id);
        },
      });
      form.scrollIntoView({ block: "start", behavior: "smooth" });
      form.querySelector<HTMLElement>("select")?.focus();
    };
    const list = mountDisputeList(left, { register: access.write, onRegister: openRegister, onSelect: select, names, now });
    const panelOptions = { className: "dispute-warnings__panel", countText: "disputes.warnings.count", limit: 200, take: access.takeWarnings, onChanged: reload, now, onSelect: select } as const;
    const warnings = access.readWarnings
      ? [
          mountRulePanel(top, {
            ...panelOptions,
            rule: "dispute_high_risk",
            titleId: "disputes-warnings-high-title",
            title: "disputes.warnings.high.title",
            none: "disputes.warnings.high.none",
            nameOf: () => null, // the card names the dispute by its kind and title
          }),
          mountRulePanel(top, {
            ...panelOptions,
            rule: "dispute_overdue",
            titleId: "disputes-warnings-overdue-title",
            title: "disputes.warnings.overdue.title",
            none: "disputes.warnings.overdue.none",
            nameOf: (_id, w) => (typeof w.details.holder_path === "string" ? t("disputes.warnings.holder", { unit: names.name(w.details.holder_path) }) : null),
          }),
        ]
      : [];
    const panel = mountDisputePanel(right, {
      write: access.write,
      linkParties: access.linkParties,
      names,
      now,
      onRecorded: (result, kind) => {
        learnNames(result.dispute, names); // the centre it went to, when it is above us
        showToast(stepText(result, kind, names));
        reload();
      },
      onLinked: (result) => {
        showToast(linkedText(result));
        reload(); // a key person raised the risk and its warning
      },
    });
    reloadList = reload;
    refreshDispute = (id) => void panel.refresh(id);
    tabs.set("list", { root: listPane, load: async () => reload() });
  }
  const screeningPane = panes.get("screening");
  if (screeningPane !== undefined) {
    tabs.set("screening", mountScreeningTab(screeningPane, { access, unit: unitRef, learn: (units) => names.learn(units), now }));
  }
  const summaryPane = panes.get("summary");
  if (summaryPane !== undefined) {
    tabs.set("summary", mountSummaryTab(summaryPane, { levels: access.levels, learn: (units) => names.learn(units) }));
  }

  const bar = mountTabs(shell, tabBar, {
    ids: access.tabs,
    labels: TABS,
    panes,
    paneId: (id) => `disputes-pane-${id}`,
    load: (id) => void tabs.get(id)?.load(),
  });

  // Warnings of the dispute rules, and steps taken by any centre (a mediation, an escalation, a
  // hand-down; topic `disputes`): the list again, and the dispute shown when it is the one.
  client = startRuleLive(
    RULES,
    {
      lists: () => {
        if (bar.shown() === "list") {
          reloadList?.();
        }
      },
      subject: (id) => refreshDispute?.(id),
      polling: () => {
        shell.dataset.live = "polling";
      },
    },
    { topic: "disputes", subjectKey: "dispute_id" },
  );

  const drawUnit = (): void => {
    const role = !access.write ? "disputes.unitReadOnly" : access.level === "grid" ? "disputes.unitGrid" : "disputes.unit";
    unit.textContent = t(role, { unit: localName(unitRef) });
  };
  drawUnit();
  onLocaleChange(drawUnit);
  const first = bar.shown();
  if (first === undefined) {
    shell.append(el("p", { className: "empty", i18n: "disputes.noTabs" }));
    return;
  }
  bar.show(first);
}

/** The toast after a registration: duplicate, or its risk and deadline (and the warning). */
function registeredText(r: DisputeRecorded): string {
  if (r.duplicate) {
    return t("disputes.recorded.duplicate");
  }
  const d = r.dispute;
  const text = t("disputes.recorded.registered", { risk: t(RISK_NAMES[d.risk]), due: formatDay(d.due_at) });
  return d.risk === "high" ? `${text}${t("disputes.recorded.sep")}${t("disputes.recorded.highRisk")}` : text;
}

/** The toast after a step: what was done, and the warnings it cleared. */
function stepText(r: DisputeRecorded, kind: StepKind, names: UnitNames): string {
  if (r.duplicate) {
    return t("disputes.recorded.duplicate");
  }
  const a = r.action;
  const to = a.to_path === null ? "—" : names.name(a.to_path);
  const done: Record<StepKind, string> = {
    mediation: t("disputes.recorded.mediation"),
    escalate: t("disputes.recorded.escalated", { unit: to }),
    assign: t("disputes.recorded.assigned", { unit: to, due: formatDay(a.due_at) }),
    risk: t("disputes.recorded.risk", { risk: a.risk === null ? "—" : t(RISK_NAMES[a.risk]) }),
    close: t("disputes.recorded.closed", { outcome: a.outcome === null ? "—" : labelOf(OUTCOMES, a.outcome) }),
  };
  const parts = [done[kind]];
  if (r.resolved_warnings.length > 0) {
    parts.push(t("disputes.recorded.cleared", { n: r.resolved_warnings.length }));
  }
  return parts.join(t("disputes.recorded.sep"));
}
