/**
 * One rental house (出租屋详情), opened from the list, a rectification or a warning card: where it
 * is (address, building, floor, area, use), its grade (the block data's until first inspected),
 * the last and next inspection, how many people the block data registers there and how many of
 * them are key persons (counts only), its rectifications (open first, with department and
 * deadline, overdue marked) and its inspections, newest first. Those who may inspect get
 * "检查评定", which opens the form; after it the server's verdict stays on the panel until
 * another house is opened. The panel carries `data-house-id`, `data-grade`, `data-assessed`,
 * `data-due-at` (the server's) and `data-open-hazards`.
 */

import { formatDay, formatDayTime } from "../shared/dates";
import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { GRADE_NAMES, ITEM_NAMES } from "../shared/rental-terms";
import type { RentalAssessmentRecorded, RentalAssessmentView, RentalChecklist, RentalDetail, RentalHazardView } from "../shared/types";
import { createDetailLoader, problemLine } from "../shared/ui/detail-loader";
import { areaText, dueChip, dueText, floorText, gradeBadge, hazardItem, useText, warningChip } from "./house-text";
import { mountInspectForm } from "./inspect-form";
import { getRental } from "./rentals-api";

export interface HousePanel {
  root: HTMLElement;
  show(houseId: string): Promise<void>;
  /** Fetches the shown house again when it is `houseId` (any: null); an open form stays as typed. */
  refresh(houseId: string | null): Promise<void>;
}

export interface HousePanelOptions {
  /** rental:write: the inspection form, and the notes. */
  write: boolean;
  /** The checklist (fetched once by the page). */
  checklist(): Promise<RentalChecklist>;
  onRecorded(result: RentalAssessmentRecorded): void;
  now(): number;
}

/** Mounts the house panel in `parent`, empty until `show(houseId)`. */
export function mountHousePanel(parent: HTMLElement, options: HousePanelOptions): HousePanel {
  let verdict: RentalAssessmentRecorded | null = null;

  const head = el("div", { className: "entry__head" });
  const inspect = el("button", { className: "btn btn--primary house__inspect", i18n: "rentals.house.inspect", attrs: { type: "button", "aria-expanded": "false" } });
  const actions = el("div", { className: "entry__actions" }, [inspect]);
  const formHost = el("div", { className: "house__form" });
  const verdictHost = el("div", { className: "house__verdict", attrs: { "aria-live": "polite" } });
  const hazards = el("div", { className: "house__hazards" });
  const history = el("div", { className: "entry__history" });
  const content = el("div", { className: "entry__content", attrs: { "aria-live": "polite" } }, [head, actions, formHost, verdictHost, hazards, history]);
  const empty = el("p", { className: "empty", i18n: "rentals.house.pick" });
  const root = el("section", { className: "panel house", attrs: { "aria-labelledby": "rentals-house-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "rentals.house.title", attrs: { id: "rentals-house-title" } })]),
    empty,
    content,
  ]);
  parent.append(root);
  if (!options.write) {
    actions.remove(); // a leader reads; nothing to inspect
  }

  const closeForm = (): void => {
    formHost.replaceChildren();
    inspect.setAttribute("aria-expanded", "false");
  };

  const open = async (): Promise<void> => {
    const shown = record.detail;
    if (shown === null) {
      return;
    }
    const id = shown.house.house_id;
    closeForm(); // a new opening is a new inspection: a new id
    verdict = null;
    drawVerdict();
    inspect.setAttribute("aria-expanded", "true");
    let checklist: RentalChecklist;
    try {
      checklist = await options.checklist();
    } catch (err) {
      const failed = el("p", { className: "field__error" });
      showErrorText(failed, describeError(err), err);
      formHost.replaceChildren(failed);
      return;
    }
    if (record.id !== id) {
      return; // another house was opened meanwhile
    }
    const form = mountInspectForm(formHost, {
      houseId: id,
      checklist,
      areaM2: shown.house.area_m2,
      keyPersons: shown.key_persons,
      onCancel: closeForm,
      onRecorded: (result) => {
        closeForm();
        verdict = result;
        drawVerdict();
        options.onRecorded(result);
        void record.refresh(id);
      },
    });
    form.scrollIntoView({ block: "nearest" });
    form.querySelector<HTMLElement>("#rentals-inspect-tenants")?.focus();
  };
  inspect.addEventListener("click", () => void open());

  const drawVerdict = (): void => {
    replaceChildren(verdictHost, [verdict === null ? null : verdictBox(verdict)]);
  };

  const render = (): void => {
    const { id: houseId, detail } = record;
    const house = detail?.house;
    root.dataset.houseId = houseId ?? "";
    root.dataset.grade = house?.grade ?? "";
    root.dataset.assessed = house === undefined ? "" : String(house.assessed);
    root.dataset.dueAt = house?.due_at ?? "";
    root.dataset.openHazards = house === undefined ? "" : String(house.open_hazards);
    empty.hidden = houseId !== null;
    content.hidden = houseId === null;
    if (houseId === null) {
      return;
    }
    const failed = problemLine(record.problem);
    actions.hidden = detail === null;
    if (detail === null) {
      replaceChildren(head, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      replaceChildren(hazards, []);
      replaceChildren(history, []);
      return;
    }
    renderHead(head, detail, options, failed);
    renderHazards(hazards, detail.hazards, options.now());
    renderHistory(history, detail.assessments, options.write);
    drawVerdict();
  };

  const record = createDetailLoader<RentalDetail>({
    fetch: (id) => getRental(id),
    opened: () => {
      verdict = null; // the verdict stays until another house is opened
      closeForm();
    },
    draw: render,
  });

  render();
  onLocaleChange(render);
  return { root, show: record.show, refresh: record.refresh };
}

function renderHead(target: HTMLElement, d: RentalDetail, options: HousePanelOptions, failed: HTMLElement | null): void {
  const h = d.house;
  const now = options.now();
  const grade = h.grade === null ? t("rentals.grade.none") : t(GRADE_NAMES[h.grade]);
  const facts: [string, string, string][] = [
    ["building", t("rentals.house.building"), h.building_id],
    ["floor", t("rentals.house.floor"), floorText(h.floor)],
    ["area", t("rentals.house.area"), areaText(h.area_m2)],
    ["use", t("rentals.house.use"), useText(h.use)],
    ["grade", t("rentals.house.grade"), h.assessed ? grade : t("rentals.house.gradeFromBlockData", { grade })],
    ["last", t("rentals.house.lastInspected"), h.last_assessed_at === null ? t("rentals.row.neverInspected") : formatDayTime(h.last_assessed_at)],
    ["next", t("rentals.house.nextInspection"), h.due_at === null ? t("rentals.due.unassessed") : t("rentals.house.nextText", { date: formatDay(h.due_at), state: dueText(h, now) })],
    ["residents", t("rentals.house.residents"), t("rentals.house.people", { n: d.residents })],
    ["key_persons", t("rentals.house.keyPersons"), t("rentals.house.people", { n: d.key_persons })],
  ];
  replaceChildren(target, [
    failed,
    el("div", { className: "entry__title-row" }, [
      el("h3", { className: "entry__name house__address", text: h.address }),
      gradeBadge(h.grade),
      dueChip(h, now),
      h.warning === null ? null : warningChip(h.warning.level, h.warning.state),
    ]),
    el(
      "dl",
      { className: "entry__facts" },
      facts.map(([key, label, value]) => el("div", { className: "entry__fact", dataset: { fact: key } }, [el("dt", { text: label }), el("dd", { text: value })])),
    ),
    d.key_persons > 0 ? el("p", { className: "house__key-persons", i18n: "rentals.house.keyPersonsHint" }) : null,
    options.write ? null : el("p", { className: "record__muted", i18n: "rentals.house.readOnly" }),
  ]);
}

function renderHazards(target: HTMLElement, list: readonly RentalHazardView[], now: number): void {
  const open = list.filter((z) => z.cleared_at === null);
  replaceChildren(target, [
    el("h3", { className: "section-title", text: t("rentals.hazards.sectionTitle", { open: open.length, all: list.length }) }),
    list.length === 0 ? el("p", { className: "record__muted", i18n: "rentals.hazards.noneHere" }) : el("ol", { className: "hazard-list" }, list.map((z) => hazardItem(z, now, false))),
  ]);
}

function renderHistory(target: HTMLElement, list: readonly RentalAssessmentView[], write: boolean): void {
  replaceChildren(target, [
    el("h3", { className: "section-title", text: t("rentals.history.title", { n: list.length }) }),
    list.length === 0 ? el("p", { className: "record__muted", i18n: "rentals.history.none" }) : el("ol", { className: "check-history" }, list.map((a) => inspectionItem(a, write))),
  ]);
}

function inspectionItem(a: RentalAssessmentView, write: boolean): HTMLElement {
  const found = a.found.map((code) => labelOf(ITEM_NAMES, code));
  const notes = a.notes ?? (write ? null : t("rentals.history.notesHidden"));
  return el("li", { className: `check-item inspect-item inspect-item--${a.grade}`, dataset: { assessmentId: a.id, grade: a.grade, score: String(a.score), found: a.found.join(",") } }, [
    el("div", { className: "check-item__top" }, [
      el("time", { className: "check-item__time", text: formatDayTime(a.at), attrs: { datetime: a.at } }),
      gradeBadge(a.grade),
      el("span", { className: "inspect-item__score", text: t("rentals.history.score", { n: a.score }) }),
      el("span", { className: "check-item__by", text: t("rentals.history.by", { name: a.by_name }) }),
    ]),
    el("p", { className: "inspect-item__counts", text: t("rentals.history.counts", { tenants: a.tenants, registered: a.registered }) }),
    el("p", { className: "inspect-item__found", text: found.length === 0 ? t("rentals.history.nothingFound") : t("rentals.history.found", { items: found.join("、") }) }),
    a.factors.length === 0 ? null : el("p", { className: "inspect-item__factors", text: t("rentals.history.factors", { items: a.factors.map((c) => labelOf(ITEM_NAMES, c)).join("、") }) }),
    notes === null ? null : el("p", { className: `check-item__notes${a.notes === null ? " is-hidden" : ""}`, text: notes }),
  ]);
}

/** The server's verdict on the inspection just sent: grade, score, rectifications opened and cleared. */
function verdictBox(r: RentalAssessmentRecorded): HTMLElement {
  const a = r.assessment;
  const names = (codes: readonly string[]): string => codes.map((c) => labelOf(ITEM_NAMES, c)).join("、");
  return el("section", { className: `verdict verdict--${a.grade}`, attrs: { "aria-labelledby": "rentals-verdict-title" }, dataset: { grade: a.grade, score: String(a.score), opened: r.opened_hazards.join(","), cleared: r.cleared_hazards.join(","), duplicate: String(r.duplicate), latest: String(r.latest) } }, [
    el("h3", { className: "section-title", i18n: "rentals.verdict.title", attrs: { id: "rentals-verdict-title" } }),
    el("div", { className: "verdict__head" }, [gradeBadge(a.grade, "grade-badge--large"), el("span", { className: "grade-preview__score", text: t("rentals.preview.score", { n: a.score }) })]),
    r.duplicate ? el("p", { className: "verdict__line", i18n: "rentals.verdict.duplicate" }) : null,
    r.latest ? null : el("p", { className: "verdict__line", i18n: "rentals.verdict.notLatest" }),
    r.opened_hazards.length === 0 ? null : el("p", { className: "verdict__line verdict__opened", text: t("rentals.verdict.opened", { n: r.opened_hazards.length, items: names(r.opened_hazards) }) }),
    r.cleared_hazards.length === 0 ? null : el("p", { className: "verdict__line verdict__cleared", text: t("rentals.verdict.cleared", { n: r.cleared_hazards.length, items: names(r.cleared_hazards) }) }),
    r.latest && r.house.due_at !== null ? el("p", { className: "verdict__line", text: t("rentals.verdict.next", { date: formatDay(r.house.due_at) }) }) : null,
  ]);
}
