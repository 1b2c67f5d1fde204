/**
 * Closed incidents and their after-action archives (处置档案): a list (newest first, paged),
 * and for the one picked its KPIs, deadlines, responders, timeline and review notes, with a
 * form to add a note or to review (which freezes the archive; notes still append after).
 */

import { incidentTitle } from "../shared/domain";
import { el, replaceChildren } from "../shared/dom";
import { formatClock, formatDuration, labelOf, onLocaleChange, t } from "../shared/i18n";
import { WARNING_RULES } from "../shared/warnings/labels";
import { describeError, errorTechnical } from "../shared/error-text";
import { ApiError } from "../shared/http";
import { toPriority } from "../shared/incident-events";
import { PRIORITY_LABELS } from "../shared/domain";
import { addReviewNote, getArchive, getClosedIncidents, openPrintable, type ArchiveView, type IncidentListItem } from "./leader-api";
import { timelineText } from "./incident-detail";

/** What became of a deadline, in words (the archive's `outcome`). */
const DEADLINE_WORDS = {
  met: "leader.archives.met",
  missed: "leader.archives.missed",
  cancelled: "leader.archives.cancelled",
  open: "leader.archives.open",
} as const;

function when(iso: string | number): string {
  const d = typeof iso === "number" ? new Date(iso * 1000) : new Date(iso);
  return `${d.toLocaleDateString()} ${formatClock(d, false)}`;
}

function titleOf(item: IncidentListItem): string {
  return incidentTitle({ title: "", kind: item.kind });
}

export function mountArchives(parent: HTMLElement): HTMLElement {
  let items: IncidentListItem[] | null = null;
  let next: string | null = null;
  let failed = false;
  let archive: ArchiveView | null = null;
  let archiveError: string | null = null;
  let saving = false;
  let formError: string | null = null;
  let formErrorDetail = ""; // the server's own words, for the tooltip

  const listBox = el("div", { className: "archives__list" });
  const pageBox = el("div", { className: "archives__page" });
  const root = el("section", { className: "panel archives" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "leader.archives.title" })]),
    listBox,
    pageBox,
  ]);

  const loadList = async (more: boolean): Promise<void> => {
    try {
      const page = await getClosedIncidents(more ? next : null);
      items = more ? [...(items ?? []), ...page.items] : page.items;
      next = page.next_before;
      failed = false;
    } catch (err) {
      console.warn("closed incidents failed to load", err);
      failed = true;
    }
    renderList();
  };
  const open = async (id: string): Promise<void> => {
    archive = null;
    archiveError = null;
    renderPage(id);
    try {
      archive = await getArchive(id);
    } catch (err) {
      archiveError = err instanceof ApiError && err.status === 404 ? t("leader.archives.none") : t("leader.loadFailed");
    }
    renderPage(id);
  };

  const renderList = (): void => {
    root.dataset.count = items === null ? "" : String(items.length);
    if (items === null) {
      replaceChildren(listBox, [el("p", { className: "empty", text: t(failed ? "leader.loadFailed" : "state.loading") })]);
      return;
    }
    if (items.length === 0) {
      replaceChildren(listBox, [el("p", { className: "empty", text: t("leader.archives.empty") })]);
      return;
    }
    const rows = items.map((item) => {
      const row = el("li", { className: `archives__item${archive?.incident_id === item.id ? " is-selected" : ""}`, attrs: { role: "button", tabindex: "0" }, dataset: { id: item.id } }, [
        el("span", { className: "archives__title", text: `${t(PRIORITY_LABELS[toPriority(item.priority)])} · ${titleOf(item)}` }),
        el("span", { className: "archives__meta", text: `${item.id} · ${when(item.updated_at)}` }),
      ]);
      const go = (): void => void open(item.id);
      row.addEventListener("click", go);
      row.addEventListener("keydown", (e) => e.key === "Enter" && go());
      return row;
    });
    const more = el("button", { className: "btn btn--ghost", text: t("leader.archives.more"), attrs: { type: "button" } });
    more.addEventListener("click", () => void loadList(true));
    replaceChildren(listBox, [el("ul", { className: "archives__items" }, rows), next === null ? null : more]);
  };

  const renderPage = (id: string): void => {
    renderList();
    pageBox.dataset.incident = id;
    if (archive === null) {
      replaceChildren(pageBox, [el("p", { className: "empty", text: archiveError ?? t("state.loading") })]);
      return;
    }
    const a = archive;
    const k = a.data.kpis;
    const printButton = el("button", { className: "btn btn--ghost", text: t("leader.archives.print"), attrs: { type: "button" } });
    printButton.addEventListener("click", () => void openPrintable(a.incident_id));
    const text = el("textarea", { className: "archives__note-input", attrs: { rows: "3", maxlength: "5000", "aria-label": t("leader.archives.notePlaceholder"), placeholder: t("leader.archives.notePlaceholder") } });
    const submit = async (review: boolean): Promise<void> => {
      const value = text.value.trim();
      if (value === "") {
        formError = t("leader.archives.noteEmpty");
        formErrorDetail = "";
        renderPage(a.incident_id);
        return;
      }
      saving = true;
      formError = null;
      formErrorDetail = "";
      try {
        await addReviewNote(a.incident_id, value, review);
        archive = await getArchive(a.incident_id);
      } catch (err) {
        formError = err instanceof ApiError ? describeError(err) : t("leader.loadFailed");
        formErrorDetail = errorTechnical(err);
      }
      saving = false;
      renderPage(a.incident_id);
    };
    const add = el("button", { className: "btn btn--primary archives__add", text: t("leader.archives.addNote"), attrs: { type: "button" } });
    add.disabled = saving;
    add.addEventListener("click", () => void submit(false));
    const review = el("button", { className: "btn archives__review", text: t("leader.archives.review"), attrs: { type: "button" } });
    review.disabled = saving || a.reviewed_at !== null;
    review.addEventListener("click", () => void submit(true));
    replaceChildren(pageBox, [
      el("div", { className: "archives__head" }, [
        el("h3", { text: `${titleOf(a.data.incident)} · ${a.incident_id}` }),
        printButton,
      ]),
      el("p", { className: "archives__meta", text: [a.data.incident.address ?? "", t("leader.archives.outcome", { outcome: a.data.outcome ?? "—" }), a.reviewed_at === null ? t("leader.archives.unreviewed") : t("leader.archives.reviewedAt", { at: when(a.reviewed_at) })].join(" · ") }),
      el("dl", { className: "archives__kpis" }, [
        ...pair(t("kpi.timeToAlert"), formatDuration(k.to_first_offer_s)),
        ...pair(t("kpi.timeToAck"), formatDuration(k.to_first_accept_s)),
        ...pair(t("kpi.timeToArrive"), formatDuration(k.to_first_arrival_s)),
        ...pair(t("leader.archives.toClose"), formatDuration(k.to_close_s)),
      ]),
      el("h4", { text: t("leader.archives.deadlines") }),
      el("ul", { className: "archives__deadlines" }, a.data.deadlines.length === 0
        ? [el("li", { className: "empty", text: "—" })]
        : a.data.deadlines.map((d) => {
            // archives stored before `outcome` existed say only met or not
            const outcome = d.outcome ?? (d.met ? "met" : "missed");
            return el("li", { className: `is-${outcome}`, dataset: { outcome }, text: `${d.purpose} · ${t(DEADLINE_WORDS[outcome])}` });
          })),
      el("h4", { text: t("leader.archives.foreseen") }),
      el("ul", { className: "archives__foreseen" }, (a.data.foreseen ?? []).length === 0
        ? [el("li", { className: "empty", text: t("leader.archives.notForeseen") })]
        : (a.data.foreseen ?? []).map((w) =>
            el("li", {
              className: `is-${w.level}`,
              dataset: { rule: w.rule },
              text: t(w.acknowledged_by_name === null ? "leader.archives.foreseenOpen" : "leader.archives.foreseenTaken", {
                rule: labelOf(WARNING_RULES, w.rule),
                days: w.days_before_call.toFixed(1),
                by: w.acknowledged_by_name ?? "",
              }),
            }),
          )),
      el("h4", { text: t("leader.detail.responders") }),
      el("ul", { className: "archives__people" }, a.data.assignments.map((p) => el("li", { text: `${p.display_name} · ${p.role} · ${p.state}` }))),
      el("h4", { text: t("leader.detail.timeline") }),
      el("ol", { className: "archives__timeline" }, a.data.timeline.slice(-40).map((f) => el("li", {}, [el("time", { text: formatClock(new Date(f.at)) }), el("span", { text: ` ${timelineText(f)}` })]))),
      el("h4", { text: t("leader.archives.notes") }),
      el("ul", { className: "archives__notes" }, a.notes.length === 0
        ? [el("li", { className: "empty", text: t("leader.archives.noNotes") })]
        : a.notes.map((n) => el("li", { className: "archives__note" }, [el("b", { text: n.author_name }), el("span", { text: ` ${when(n.at)}: ` }), el("span", { className: "archives__note-text", text: n.text })]))),
      text,
      formError === null ? null : el("p", { className: "form-error", attrs: { role: "alert", ...(formErrorDetail === "" ? {} : { title: formErrorDetail }) }, text: formError }),
      el("div", { className: "archives__form-actions" }, [add, review]),
    ]);
  };

  renderList();
  void loadList(false);
  onLocaleChange(() => {
    renderList();
    if (archive !== null) {
      renderPage(archive.incident_id);
    }
  });
  parent.append(root);
  return root;
}

function pair(label: string, value: string): HTMLElement[] {
  return [el("dt", { text: label }), el("dd", { text: value })];
}
