/**
 * One ledger entry (台账详情), opened from the list or a warning card: the person as the server
 * sent them (masked for leaders), the group and department, who answers for them, since when,
 * the last check, the next due date, an open need, the live overdue warning, the notes (for
 * those who keep the ledger), and the history of checks, newest first. Those who keep the ledger
 * get "记录核查" and "销档", each opening its form (one at a time; a new opening is a new record).
 * The panel carries `data-entry-id`, `data-status`, `data-due-at` (the server's) and `data-needs-help`.
 */

import { formatCalendarDay, formatDay, formatDayTime } from "../shared/dates";
import { el, replaceChildren } from "../shared/dom";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { DEPARTMENT_NAMES, GROUP_NAMES } from "../shared/ledger-terms";
import type { LedgerCheckRecorded, LedgerCheckView, LedgerEntryDetail, LedgerEntryView } from "../shared/types";
import { createDetailLoader, problemLine } from "../shared/ui/detail-loader";
import { mountCheckForm } from "./check-form";
import { mountCloseForm } from "./close-form";
import { dueText, personName, warningChip } from "./entry-text";
import { CHECK_KINDS, FINDINGS } from "./labels";
import { getEntry } from "./ledgers-api";

export interface EntryPanel {
  root: HTMLElement;
  show(entryId: string): Promise<void>;
  /** Fetches the shown entry again when it is `entryId` (any: null); an open form stays as typed. */
  refresh(entryId: string | null): Promise<void>;
}

export interface EntryPanelOptions {
  /** ledger:write: the forms, and the notes. */
  write: boolean;
  onChecked(result: LedgerCheckRecorded): void;
  onClosed(entry: LedgerEntryView): void;
  now(): number;
}

type FormKind = "check" | "close";

/** Mounts the entry panel in `parent`, empty until `show(entryId)`. */
export function mountEntryPanel(parent: HTMLElement, options: EntryPanelOptions): EntryPanel {
  const head = el("div", { className: "entry__head" });
  const check = el("button", { className: "btn btn--primary entry__check", i18n: "ledgers.entry.check", attrs: { type: "button", "aria-expanded": "false" } });
  const close = el("button", { className: "btn entry__close", i18n: "ledgers.entry.close", attrs: { type: "button", "aria-expanded": "false" } });
  const actions = el("div", { className: "entry__actions" }, [check, close]);
  const formHost = el("div", { className: "entry__form" });
  const history = el("div", { className: "entry__history" });
  const content = el("div", { className: "entry__content", attrs: { "aria-live": "polite" } }, [head, actions, formHost, history]);
  const empty = el("p", { className: "empty", i18n: "ledgers.entry.pick" });
  const root = el("section", { className: "panel entry", attrs: { "aria-labelledby": "ledgers-entry-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "ledgers.entry.title", attrs: { id: "ledgers-entry-title" } })]),
    empty,
    content,
  ]);
  parent.append(root);
  if (!options.write) {
    actions.remove(); // a leader reads the ledger; nothing to record
  }

  const closeForm = (): void => {
    formHost.replaceChildren();
    check.setAttribute("aria-expanded", "false");
    close.setAttribute("aria-expanded", "false");
  };

  const open = (kind: FormKind): void => {
    const entry = record.detail?.entry;
    if (entry === undefined || entry.status !== "active") {
      return;
    }
    const id = entry.id;
    closeForm(); // a new opening is a new record: a new id
    (kind === "check" ? check : close).setAttribute("aria-expanded", "true");
    const form =
      kind === "check"
        ? mountCheckForm(formHost, {
            entryId: id,
            group: entry.group,
            onCancel: closeForm,
            onRecorded: (result) => {
              closeForm();
              options.onChecked(result);
              void record.refresh(id);
            },
          })
        : mountCloseForm(formHost, {
            entryId: id,
            onCancel: closeForm,
            onClosed: (closed) => {
              closeForm();
              options.onClosed(closed);
              void record.refresh(id);
            },
          });
    form.scrollIntoView({ block: "nearest" });
    form.querySelector<HTMLElement>("input, select, textarea")?.focus();
  };
  check.addEventListener("click", () => open("check"));
  close.addEventListener("click", () => open("close"));

  const render = (): void => {
    const { id: entryId, detail } = record;
    root.dataset.entryId = entryId ?? "";
    root.dataset.status = detail?.entry.status ?? "";
    root.dataset.dueAt = detail?.entry.due_at ?? "";
    root.dataset.needsHelp = String(detail?.entry.needs_help ?? false);
    empty.hidden = entryId !== null;
    content.hidden = entryId === null;
    if (entryId === null) {
      return;
    }
    const failed = problemLine(record.problem);
    actions.hidden = detail?.entry.status !== "active";
    if (detail === null) {
      replaceChildren(head, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      replaceChildren(history, []);
      return;
    }
    renderHead(head, detail.entry, options, failed);
    renderHistory(history, detail.checks, options.write);
  };

  const record = createDetailLoader<LedgerEntryDetail>({
    fetch: (id) => getEntry(id),
    ready: (answer) => {
      if (answer.entry.status !== "active") {
        closeForm();
      }
    },
    opened: closeForm,
    draw: render,
  });

  render();
  onLocaleChange(render);
  return { root, show: record.show, refresh: record.refresh };
}

function renderHead(target: HTMLElement, e: LedgerEntryView, options: EntryPanelOptions, failed: HTMLElement | null): void {
  const active = e.status === "active";
  const facts: [string, string][] = [
    [t("ledgers.entry.address"), e.address ?? "—"],
    [t("ledgers.entry.officer"), e.officer_name ?? "—"],
    [t("ledgers.entry.since"), formatCalendarDay(e.since)],
    [t("ledgers.entry.lastCheck"), e.last_check_at === null ? t("ledgers.row.neverChecked") : formatDayTime(e.last_check_at)],
    [t("ledgers.entry.interval"), t("ledgers.policy.every", { days: e.check_days })],
  ];
  if (active) {
    facts.push([t("ledgers.entry.nextDue"), t("ledgers.entry.nextDueText", { date: formatDay(e.due_at), state: dueText(e, options.now()) })]);
  } else {
    facts.push([t("ledgers.entry.closedAt"), formatDayTime(e.closed_at)], [t("ledgers.entry.closeReason"), e.close_reason ?? "—"]);
  }
  facts.push([t("ledgers.entry.createdBy"), t("ledgers.entry.createdByText", { name: e.created_by_name, time: formatDayTime(e.created_at) })]);
  if (options.write) {
    facts.push([t("ledgers.entry.notes"), e.notes ?? t("ledgers.entry.noNotes")]);
  }
  replaceChildren(target, [
    failed,
    el("div", { className: "entry__title-row" }, [
      el("h3", { className: "entry__name", text: personName(e) }),
      el("span", { className: "group-chip", text: labelOf(GROUP_NAMES, e.group), dataset: { group: e.group } }),
      active ? el("span", { className: `due-chip${e.overdue ? " is-overdue" : ""}`, text: dueText(e, options.now()) }) : el("span", { className: "state-chip", i18n: "ledgers.entry.closed", dataset: { state: "closed" } }),
      e.needs_help && active ? el("span", { className: "need-chip", i18n: "ledgers.needsHelp" }) : null,
      e.warning === null ? null : warningChip(e.warning.level, e.warning.state),
    ]),
    el("p", { className: "entry__department", text: t("ledgers.entry.department", { department: labelOf(DEPARTMENT_NAMES, e.department) }) }),
    e.tagged ? null : el("p", { className: "entry__untagged", i18n: "ledgers.entry.untagged" }),
    el(
      "dl",
      { className: "entry__facts" },
      facts.map(([label, value]) => el("div", { className: "entry__fact" }, [el("dt", { text: label }), el("dd", { text: value })])),
    ),
    options.write ? null : el("p", { className: "record__muted", i18n: "ledgers.entry.readOnly" }),
  ]);
}

function renderHistory(target: HTMLElement, checks: readonly LedgerCheckView[], write: boolean): void {
  replaceChildren(target, [
    el("h3", { className: "section-title", text: t("ledgers.history.title", { n: checks.length }) }),
    checks.length === 0 ? el("p", { className: "record__muted", i18n: "ledgers.history.none" }) : el("ol", { className: "check-history" }, checks.map((c) => checkItem(c, write))),
  ]);
}

function checkItem(c: LedgerCheckView, write: boolean): HTMLElement {
  const notes = c.notes ?? (write ? null : t("ledgers.history.notesHidden"));
  return el("li", { className: `check-item check-item--${c.finding}`, dataset: { checkId: c.id, finding: c.finding, kind: c.kind } }, [
    el("div", { className: "check-item__top" }, [
      el("time", { className: "check-item__time", text: formatDayTime(c.at), attrs: { datetime: c.at } }),
      el("span", { className: "check-item__kind", text: labelOf(CHECK_KINDS, c.kind) }),
      el("span", { className: "finding-chip", text: labelOf(FINDINGS, c.finding), dataset: { finding: c.finding } }),
      el("span", { className: "check-item__by", text: t("ledgers.history.by", { name: c.by_name }) }),
    ]),
    notes === null ? null : el("p", { className: `check-item__notes${c.notes === null ? " is-hidden" : ""}`, text: notes }),
  ]);
}
