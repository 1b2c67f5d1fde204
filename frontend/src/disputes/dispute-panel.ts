/**
 * One dispute (纠纷详情), opened from the list, a warning card or a registration: its title, risk,
 * kind, state and deadline, the live warnings, the facts (parties, source, where it happened, the
 * centre that holds it, who registered it and when, how it was closed), the parties linked to the
 * people records (`dispute-parties.ts`, with 关联当事人), the details for those who work
 * disputes, and the history as a timeline. When the user's jurisdiction holds it, the user
 * works disputes and it is live, the steps: 记录调解, 上报 (when a centre is above), 交办 (when a
 * unit lies below on the way to the place), 风险研判, 办结 — each opening its form (one at a
 * time; a new opening is a new step). The panel carries `data-dispute-id`, `data-status`,
 * `data-risk`, `data-holder-path`, `data-yours` and `data-due-at` (the server's).
 */

import { formatDayTime } from "../shared/dates";
import { KIND_NAMES } from "../shared/dispute-terms";
import { el, replaceChildren } from "../shared/dom";
import { describeError } from "../shared/error-text";
import { labelOf, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import type { DisputeDetail, DisputePartyRecorded, DisputeRecorded } from "../shared/types";
import { createDetailLoader, problemLine } from "../shared/ui/detail-loader";
import { showToast } from "../shared/ui/toast";
import { getDispute } from "./disputes-api";
import { mountDisputeParties } from "./dispute-parties";
import { renderHistory } from "./dispute-history";
import { dueChip, holderText, kindChip, learnNames, placeText, riskBadge, sourceText, statusChip, statusText, untilText, warningChips, yoursChip } from "./dispute-text";
import { mountStepForm, type StepKind } from "./step-forms";
import type { UnitNames } from "./unit-names";

export interface DisputePanel {
  root: HTMLElement;
  show(disputeId: string): Promise<void>;
  /** Fetches the shown dispute again when it is `disputeId` (any: null); an open form stays as typed. */
  refresh(disputeId: string | null): Promise<void>;
}

export interface DisputePanelOptions {
  /** dispute:write: the steps (on disputes held here), details and notes. */
  write: boolean;
  /** dispute:write and person:lookup: 关联当事人 (on disputes held here). */
  linkParties: boolean;
  names: UnitNames;
  onRecorded(result: DisputeRecorded, kind: StepKind): void;
  onLinked(result: DisputePartyRecorded): void;
  now(): number;
}

const STEP_BUTTONS: readonly { kind: StepKind; label: MessageKey }[] = [
  { kind: "mediation", label: tk("disputes.panel.mediate") },
  { kind: "escalate", label: tk("disputes.panel.escalate") },
  { kind: "assign", label: tk("disputes.panel.assign") },
  { kind: "risk", label: tk("disputes.panel.risk") },
  { kind: "close", label: tk("disputes.panel.close") },
];

/** Mounts the dispute panel in `parent`, empty until `show(disputeId)`. */
export function mountDisputePanel(parent: HTMLElement, options: DisputePanelOptions): DisputePanel {
  let openKind: StepKind | null = null;

  const head = el("div", { className: "entry__head" });
  const details = el("div", { className: "dispute__details" });
  const buttons = new Map<StepKind, HTMLButtonElement>();
  const actions = el(
    "div",
    { className: "entry__actions dispute__actions" },
    STEP_BUTTONS.map(({ kind, label }) => {
      const b = el("button", { className: `btn${kind === "mediation" ? " btn--primary" : ""} dispute__step`, i18n: label, attrs: { type: "button", "aria-expanded": "false" }, dataset: { step: kind } });
      b.addEventListener("click", () => open(kind));
      buttons.set(kind, b);
      return b;
    }),
  );
  const formHost = el("div", { className: "dispute__form" });
  const history = el("div", { className: "entry__history" });
  const partiesHost = el("div", { className: "dispute__parties" });
  const content = el("div", { className: "entry__content", attrs: { "aria-live": "polite" } }, [head, partiesHost, details, actions, formHost, history]);
  const empty = el("p", { className: "empty", i18n: "disputes.panel.pick" });
  const root = el("section", { className: "panel dispute", attrs: { "aria-labelledby": "disputes-panel-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "disputes.panel.title", attrs: { id: "disputes-panel-title" } })]),
    empty,
    content,
  ]);
  parent.append(root);
  const parties = mountDisputeParties(partiesHost, {
    onOpen: () => closeForm(), // one form at a time
    onLinked: (result) => {
      options.onLinked(result);
      void record.refresh(result.dispute.id);
    },
    onStale: (err) => {
      showToast(describeError(err));
      void record.refresh(null);
    },
  });

  /** The steps this user may take on the shown dispute, if any. */
  const allowed = (d: DisputeDetail): Set<StepKind> => {
    const live = d.dispute.status === "open" || d.dispute.status === "mediating";
    if (!options.write || !live || !d.dispute.yours) {
      return new Set();
    }
    const out = new Set<StepKind>(["mediation", "risk", "close"]);
    if (d.escalate_to !== null) {
      out.add("escalate");
    }
    if (d.assign_to.length > 0) {
      out.add("assign");
    }
    return out;
  };

  const closeForm = (): void => {
    formHost.replaceChildren();
    openKind = null;
    for (const b of buttons.values()) {
      b.setAttribute("aria-expanded", "false");
    }
  };

  const open = (kind: StepKind): void => {
    const shown = record.detail;
    if (shown === null) {
      return;
    }
    closeForm(); // a new opening is a new step: a new id
    parties.close();
    openKind = kind;
    buttons.get(kind)?.setAttribute("aria-expanded", "true");
    const form = mountStepForm(formHost, {
      kind,
      detail: shown,
      names: options.names,
      onCancel: closeForm,
      onStale: (err) => {
        showToast(describeError(err));
        closeForm();
        void record.refresh(shown.dispute.id);
      },
      onRecorded: (result, done) => {
        closeForm();
        options.onRecorded(result, done);
        void record.refresh(result.dispute.id);
      },
    });
    form.scrollIntoView({ block: "nearest" });
    form.querySelector<HTMLElement>("textarea, select, input[type=radio]")?.focus();
  };

  const render = (): void => {
    const { id: disputeId, detail } = record;
    const d = detail?.dispute;
    root.dataset.disputeId = disputeId ?? "";
    root.dataset.status = d?.status ?? "";
    root.dataset.risk = d?.risk ?? "";
    root.dataset.holderPath = d?.holder_path ?? "";
    root.dataset.yours = d === undefined ? "" : String(d.yours);
    root.dataset.dueAt = d?.due_at ?? "";
    empty.hidden = disputeId !== null;
    content.hidden = disputeId === null;
    if (disputeId === null) {
      return;
    }
    const failed = problemLine(record.problem);
    partiesHost.hidden = detail === null;
    if (detail === null) {
      actions.hidden = true;
      replaceChildren(head, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      replaceChildren(details, []);
      replaceChildren(history, []);
      return;
    }
    const steps = allowed(detail);
    actions.hidden = steps.size === 0;
    for (const [kind, b] of buttons) {
      b.hidden = !steps.has(kind);
    }
    if (openKind !== null && !steps.has(openKind)) {
      closeForm(); // it moved on (held elsewhere now, or closed)
    }
    renderHead(head, detail, options, failed);
    const live = detail.dispute.status === "open" || detail.dispute.status === "mediating";
    parties.draw(detail, options.linkParties && live && detail.dispute.yours);
    renderDetails(details, detail, options.write);
    renderHistory(history, detail.actions, options.names, options.write);
  };

  const record = createDetailLoader<DisputeDetail>({
    fetch: (id) => getDispute(id),
    ready: async (answer) => {
      options.names.learn(answer.units);
      learnNames(answer.dispute, options.names);
      const paths = [answer.escalate_to, ...answer.assign_to, ...answer.actions.flatMap((a) => [a.from_path, a.to_path])];
      await options.names.ensure(paths);
    },
    opened: () => {
      closeForm();
      parties.close();
    },
    draw: render,
  });

  render();
  onLocaleChange(render);
  return { root, show: record.show, refresh: record.refresh };
}

function renderHead(target: HTMLElement, detail: DisputeDetail, options: DisputePanelOptions, failed: HTMLElement | null): void {
  const d = detail.dispute;
  const now = options.now();
  const live = d.status === "open" || d.status === "mediating";
  const holder = holderText(d, options.names);
  const facts: [string, string, string][] = [
    ["kind", t("disputes.panel.kind"), labelOf(KIND_NAMES, d.kind)],
    ["parties", t("disputes.panel.parties"), t("disputes.row.parties", { n: d.parties })],
    ["source", t("disputes.panel.source"), sourceText(d)],
    ["place", t("disputes.panel.place"), placeText(d, options.names)],
    ["holder", t("disputes.panel.holder"), d.yours ? t("disputes.panel.holderYours", { unit: holder }) : holder],
    ["status", t("disputes.panel.status"), statusText(d)],
    live ? ["due", t("disputes.panel.due"), t("disputes.panel.dueText", { time: formatDayTime(d.due_at), state: untilText(d.due_at, d.overdue, now) })] : ["closed", t("disputes.panel.closedAt"), formatDayTime(d.closed_at)],
    ["reported", t("disputes.panel.reported"), t("disputes.panel.reportedText", { time: formatDayTime(d.reported_at), name: d.created_by_name })],
  ];
  replaceChildren(target, [
    failed,
    el("div", { className: "entry__title-row" }, [el("h3", { className: "entry__name dispute__title", text: d.title }), riskBadge(d.risk, "risk-badge--large")]),
    el("div", { className: "ledger-row__top dispute__chips" }, [kindChip(d), statusChip(d), dueChip(d, now), d.yours ? yoursChip() : null, ...warningChips(d.warnings)]),
    el(
      "dl",
      { className: "entry__facts" },
      facts.map(([key, label, value]) => el("div", { className: "entry__fact", dataset: { fact: key } }, [el("dt", { text: label }), el("dd", { text: value })])),
    ),
    live && !d.yours ? el("p", { className: "record__muted dispute__elsewhere", text: t("disputes.panel.heldElsewhere", { unit: holder }) }) : null,
  ]);
}

/** The sealed details: for those who work disputes, or a line saying they are withheld. */
function renderDetails(target: HTMLElement, detail: DisputeDetail, write: boolean): void {
  if (detail.details !== null) {
    replaceChildren(target, [el("h3", { className: "section-title", i18n: "disputes.panel.details" }), el("p", { className: "dispute__details-text", text: detail.details })]);
  } else {
    replaceChildren(target, [el("p", { className: "record__muted", i18n: write ? "disputes.panel.noDetails" : "disputes.panel.detailsHidden" })]);
  }
}
