/**
 * Psychological services (社会心理服务) for the staff of a community station, a street
 * sub-centre or the district centre, and for leaders. Tabs by what the user may do (`access.ts`):
 * 待跟进 (crisis warnings across the top, the attention list, the person: lookup, record, the
 * assessment and session forms), 活动, 工作指示, 月报, 统计. A tab fetches its data each time it
 * is shown and after the events that touch it; the tab shown is kept in the URL's hash.
 */

import { el } from "../shared/dom";
import { labelOf, localName, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import { BAND_NAMES } from "../shared/psych-terms";
import type { Session } from "../shared/session";
import type { AssessmentRecorded, OrgLevel, ServiceRecorded } from "../shared/types";
import { mountAppHeader } from "../shared/ui/app-header";
import { mountTabs, type Tab } from "../shared/ui/tabs";
import { showToast } from "../shared/ui/toast";
import { accessOf, type PsychTab } from "./access";
import { mountActivitiesTab } from "./activities-tab";
import { mountAttentionList } from "./attention-list";
import { mountFiguresTab } from "./figures-tab";
import { mountInstructionsTab } from "./instructions-tab";
import { TABS } from "./labels";
import { mountRulePanel } from "../shared/warnings/rule-panel";
import { startRuleLive } from "../shared/warnings/rule-live";
import { mountPersonPanel, type PersonPanel } from "./person-panel";
import { mountReportsTab } from "./reports-tab";

const NARROW = "(max-width: 900px)";

export function renderPsych(root: HTMLElement, session: Session): void {
  const access = accessOf(session.me);
  // data-live: "socket", or "polling" once the warnings topic was refused
  const shell = el("div", { className: "psych", dataset: { level: access.level, live: "socket" } });
  root.append(shell);
  mountAppHeader(shell, session, { title: "psych.title", current: "psych" });

  const unit = el("p", { className: "psych__unit" });
  const tabBar = el("div", { className: "tabs psych__tabs", attrs: { role: "tablist", "aria-labelledby": "psych-unit" } });
  const panes = new Map<PsychTab, HTMLElement>();
  for (const id of access.tabs) {
    panes.set(id, el("div", { className: `psych__pane psych__pane--${id}`, attrs: { role: "tabpanel", id: `psych-pane-${id}` }, dataset: { tab: id } }));
  }
  shell.append(el("div", { className: "psych__top" }, [unit, tabBar]), el("div", { className: "psych__body" }, [...panes.values()]));
  unit.id = "psych-unit";

  const now = (): number => client.serverNow();
  const tabs = new Map<PsychTab, Tab>();
  let attention: { load(): void } | null = null;
  let person: PersonPanel | null = null;

  const attentionPane = panes.get("attention");
  if (attentionPane !== undefined) {
    const top = el("div", { className: "psych-work__warnings" });
    const left = el("aside", { className: "psych-work__list" });
    const right = el("main", { className: "psych-work__person" });
    attentionPane.append(el("div", { className: "psych-work" }, [top, left, right]));
    const select = (personId: string): void => {
      list.setSelected(personId);
      void panel.show(personId);
      if (window.matchMedia(NARROW).matches) {
        panel.root.scrollIntoView({ block: "start", behavior: "smooth" });
      }
    };
    // The list first: the warnings then know the names of the people it holds.
    const reload = (): void => {
      void list
        .load()
        .then(() => warnings.load())
        .then(() => panel.redraw());
    };
    const list = mountAttentionList(left, select);
    const warnings = mountRulePanel(top, {
      rule: "psych_crisis",
      className: "crisis",
      titleId: "psych-crisis-title",
      title: "psych.crisis.title",
      countText: "psych.crisis.count",
      none: "psych.crisis.none",
      limit: 100,
      take: true,
      onSelect: select,
      nameOf: (id) => list.nameOf(id),
      onChanged: reload,
      now,
    });
    const panel = mountPersonPanel(right, {
      crisisOf: (id) => warnings.warningOf(id) ?? list.warningOf(id),
      onAssessed: (result) => {
        showToast(assessedText(result));
        reload();
      },
      onServed: (result) => {
        showToast(servedText(result));
        reload();
      },
    });
    attention = { load: reload };
    person = panel;
    tabs.set("attention", { root: attentionPane, load: async () => reload() });
  }
  const activitiesPane = panes.get("activities");
  if (activitiesPane !== undefined) {
    tabs.set("activities", mountActivitiesTab(activitiesPane, session.me.org_unit));
  }
  const instructionsPane = panes.get("instructions");
  if (instructionsPane !== undefined) {
    tabs.set("instructions", mountInstructionsTab(instructionsPane, session.me, access));
  }
  const reportsPane = panes.get("reports");
  if (reportsPane !== undefined) {
    tabs.set("reports", mountReportsTab(reportsPane, access));
  }
  const figuresPane = panes.get("figures");
  if (figuresPane !== undefined) {
    tabs.set("figures", mountFiguresTab(figuresPane, access));
  }

  const bar = mountTabs(shell, tabBar, {
    ids: access.tabs,
    labels: TABS,
    panes,
    paneId: (id) => `psych-pane-${id}`,
    load: (id) => void tabs.get(id)?.load(),
  });
  const drawUnit = (): void => {
    unit.textContent = t("psych.unit", { unit: localName(session.me.org_unit), centre: t(CENTRES[access.level]) });
  };

  // Instructions and reports have no events: their tabs fetch each time they are shown.
  const client = startRuleLive("psych_crisis", {
    lists: () => {
      if (bar.shown() === "attention") {
        attention?.load();
      }
    },
    subject: (id) => void person?.refresh(id),
    polling: () => {
      shell.dataset.live = "polling";
    },
  });

  drawUnit();
  onLocaleChange(drawUnit);
  const first = bar.shown();
  if (first === undefined) {
    shell.append(el("p", { className: "empty", i18n: "psych.noTabs" }));
    return;
  }
  bar.show(first);
}

/** What the user's unit is called as a psychological-service centre. */
const CENTRES: Readonly<Record<OrgLevel, MessageKey>> = {
  district: tk("psych.centre.district"),
  street: tk("psych.centre.street"),
  community: tk("psych.centre.community"),
  grid: tk("psych.centre.grid"),
};

function assessedText(result: AssessmentRecorded): string {
  const a = result.assessment;
  if (result.duplicate) {
    return t("psych.assess.duplicate");
  }
  return t(a.self_harm ? "psych.assess.recordedSelfHarm" : "psych.assess.recorded", { score: a.score, band: labelOf(BAND_NAMES, a.band) });
}

function servedText(result: ServiceRecorded): string {
  if (result.duplicate) {
    return t("psych.service.duplicate");
  }
  return result.resolved_warnings.length > 0 ? t("psych.service.recordedResolved") : t("psych.service.recorded");
}
