/**
 * 排查: the weekly screening. A week chooser (this ISO week on the district's clock by default;
 * earlier weeks back, never a week ahead), every unit of a level below the user's with its
 * report of the week — those yet to report first and loud — and, for those who work disputes,
 * the user's own unit's report: how many disputes the screening found, 0 included (零报告:
 * screened, none found), and notes. Sent again for the same week it replaces the report (a
 * correction). The section carries `data-week` and `data-level`; rows `data-path` and
 * `data-reported` (and `data-found`); the own report `.screening-mine[data-reported]`.
 */

import { formatDayTime } from "../shared/dates";
import { el, replaceChildren } from "../shared/dom";
import { localName, onLocaleChange, t } from "../shared/i18n";
import type { DisputeLevel, DisputeScreeningPage, DisputeScreeningView, OrgUnitRef } from "../shared/types";
import { createAnswerLoader, problemLine } from "../shared/ui/detail-loader";
import { errorLine, FieldErrors, labelled, setBusy } from "../shared/ui/form-kit";
import type { Tab } from "../shared/ui/tabs";
import { showToast } from "../shared/ui/toast";
import { drawLevelChooser } from "../shared/ui/unit-table";
import type { Access } from "./access";
import { getScreenings, reportScreening } from "./disputes-api";
import { LEVEL_CHOICES } from "./labels";
import { compareWeeks, shiftWeek, weekDays, weekOf } from "./weeks";

export interface ScreeningTabOptions {
  access: Access;
  unit: OrgUnitRef;
  learn(units: readonly DisputeScreeningView[]): void;
  /** The server's clock, in ms. */
  now(): number;
}

/** A level's screenings of the week, and the page of the user's own level (null: not asked). */
interface ScreeningAnswer {
  listed: DisputeScreeningPage;
  own: DisputeScreeningPage | null;
}

const NOTES_MAX = 500;
const FOUND_MAX = 10000;

/** Mounts the 排查 tab in `parent`; it fetches on `load()` (each time it is shown). */
export function mountScreeningTab(parent: HTMLElement, options: ScreeningTabOptions): Tab {
  const { access } = options;
  let week = weekOf(options.now());
  let level: DisputeLevel = access.levels[0] ?? "grid";
  let mine: DisputeScreeningView | null = null;

  const prev = el("button", { className: "btn btn--small btn--ghost week__prev", i18n: "disputes.week.prev", attrs: { type: "button" } });
  const next = el("button", { className: "btn btn--small btn--ghost week__next", i18n: "disputes.week.next", attrs: { type: "button" } });
  const current = el("button", { className: "btn btn--small btn--ghost week__now", i18n: "disputes.week.now", attrs: { type: "button" } });
  const shown = el("output", { className: "week__shown", attrs: { id: "disputes-week", "aria-live": "polite" } });
  const chooser = el("div", { className: "seg screening__levels", attrs: { role: "group", "aria-label": t("disputes.summary.level"), "data-i18n-aria-label": "disputes.summary.level" } });
  const count = el("span", { className: "entries__count screening__count" });
  const body = el("div", { className: "screening__body" });
  const mineHost = el("div", { className: "screening__mine-host" });
  const root = el("section", { className: "panel screening", attrs: { "aria-labelledby": "disputes-screening-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "disputes.screening.title", attrs: { id: "disputes-screening-title" } }), count]),
    el("div", { className: "week", attrs: { role: "group", "aria-label": t("disputes.week.label"), "data-i18n-aria-label": "disputes.week.label" } }, [prev, shown, next, current]),
    mineHost,
    access.levels.length > 1 ? chooser : null,
    body,
    el("p", { className: "field__hint", i18n: "disputes.screening.hint" }),
  ]);
  parent.append(root);

  const thisWeek = (): string => weekOf(options.now());
  const go = (to: string): void => {
    if (compareWeeks(to, thisWeek()) > 0) {
      return; // a week that has not begun has no screening
    }
    week = to;
    screenings.forget();
    mine = null;
    form?.reset();
    render();
    void load();
  };
  prev.addEventListener("click", () => go(shiftWeek(week, -1)));
  next.addEventListener("click", () => go(shiftWeek(week, 1)));
  current.addEventListener("click", () => go(thisWeek()));

  const form = access.write ? mountReportForm(mineHost, options, () => week, (saved) => {
    mine = saved;
    showToast(saved.found === 0 ? t("disputes.screening.savedZero", { week: saved.week }) : t("disputes.screening.saved", { week: saved.week, n: saved.found ?? 0 }));
    void load();
  }) : null;
  const mineLine = el("p", { className: "screening-mine" });
  if (form !== null) {
    mineHost.prepend(mineLine);
  }

  const render = (): void => {
    root.dataset.week = week;
    root.dataset.level = level;
    shown.textContent = t("disputes.week.shown", { week, days: weekDays(week) });
    shown.dataset.week = week;
    const latest = compareWeeks(week, thisWeek()) >= 0;
    next.disabled = latest;
    current.hidden = latest;
    drawLevelChooser(chooser, access.levels, level, LEVEL_CHOICES, (l) => {
      if (l !== level) {
        level = l;
        screenings.forget();
        render();
      }
      void load();
    });
    drawMine();
    const failed = problemLine(screenings.problem);
    const page = screenings.answer?.listed ?? null;
    if (page === null) {
      count.textContent = "";
      delete root.dataset.units;
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    const missing = page.units.length - page.reported;
    count.textContent = t("disputes.screening.count", { reported: page.reported, all: page.units.length });
    count.classList.toggle("is-alarm", missing > 0);
    root.dataset.units = String(page.units.length);
    root.dataset.missing = String(missing);
    replaceChildren(body, [
      failed,
      page.units.length === 0 ? el("p", { className: "empty", i18n: "disputes.screening.noUnits" }) : el("ol", { className: "screening__list" }, page.units.map(unitRow)),
    ]);
  };

  const drawMine = (): void => {
    if (form === null) {
      return;
    }
    mineLine.dataset.reported = mine === null ? "" : String(mine.reported);
    mineLine.classList.toggle("is-missing", mine !== null && !mine.reported);
    const unit = localName(options.unit);
    if (mine === null) {
      mineLine.textContent = t("disputes.screening.mineUnknown", { unit, week });
    } else if (!mine.reported) {
      mineLine.textContent = t("disputes.screening.mineMissing", { unit, week });
    } else {
      mineLine.textContent = t("disputes.screening.mineReported", { unit, week, found: foundText(mine), name: mine.by_name ?? "—", time: formatDayTime(mine.at) });
    }
    form.dataset.week = week;
  };

  const screenings = createAnswerLoader<{ week: string; level: DisputeLevel }, ScreeningAnswer>({
    fetch: async (asking) => {
      // the own unit's report from its own level (the district is listed by no level)
      const listed = getScreenings(asking.week, asking.level);
      const own = !access.write || access.ownLevel === null ? Promise.resolve(null) : access.ownLevel === asking.level ? listed : getScreenings(asking.week, access.ownLevel);
      const [listedPage, ownPage] = await Promise.all([listed, own]);
      return { listed: listedPage, own: ownPage };
    },
    ready: (answer) => {
      options.learn(answer.listed.units);
      mine = answer.own?.units.find((u) => u.org_path === options.unit.path) ?? mine;
    },
    draw: render,
  });

  /** Fetches the shown week at the chosen level. */
  const load = (): Promise<void> => screenings.load({ week, level });

  render();
  onLocaleChange(render);
  return { root, load };
}

/** "零报告" or "发现 N 起". */
function foundText(u: DisputeScreeningView): string {
  return u.found === 0 ? t("disputes.screening.zero") : t("disputes.screening.found", { n: u.found ?? 0 });
}

function unitRow(u: DisputeScreeningView): HTMLElement {
  const dataset: Record<string, string> = { path: u.org_path, reported: String(u.reported) };
  if (u.found !== null) {
    dataset.found = String(u.found);
  }
  return el("li", { className: `screening-row${u.reported ? "" : " is-missing"}`, dataset }, [
    el("div", { className: "screening-row__top" }, [
      el("strong", { className: "screening-row__name", text: localName(u) }),
      el("span", { className: `state-chip screening-row__state${u.reported ? "" : " is-missing"}`, text: u.reported ? foundText(u) : t("disputes.screening.missing") }),
    ]),
    u.reported ? el("span", { className: "ledger-row__facts", text: t("disputes.screening.by", { name: u.by_name ?? "—", time: formatDayTime(u.at) }) }) : null,
    u.notes === null ? null : el("p", { className: "check-item__notes", text: u.notes }),
  ]);
}

/** The user's unit's report of the shown week: found (0: none), notes. */
function mountReportForm(parent: HTMLElement, options: ScreeningTabOptions, week: () => string, onSaved: (saved: DisputeScreeningView) => void): HTMLFormElement {
  let busy = false;
  const found = el("input", { className: "field__input screening-form__found", attrs: { id: "disputes-screen-found", name: "found", type: "number", inputmode: "numeric", min: "0", max: String(FOUND_MAX), step: "1", required: "" } });
  const zero = el("button", { className: "btn btn--small btn--ghost screening-form__zero", i18n: "disputes.screening.zeroButton", attrs: { type: "button" } });
  zero.addEventListener("click", () => {
    found.value = "0";
    found.focus();
  });
  const notes = el("textarea", { className: "field__input", attrs: { id: "disputes-screen-notes", name: "notes", rows: "2", maxlength: String(NOTES_MAX), placeholder: t("disputes.screening.notesPlaceholder"), "data-i18n-placeholder": "disputes.screening.notesPlaceholder" } });
  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const foundError = errorLine("disputes-screen-found");
  const notesError = errorLine("disputes-screen-notes");
  errors.add("found", foundError, found);
  errors.add("notes", notesError, notes);
  errors.add("week", general, null);
  const submit = el("button", { className: "btn btn--primary ledger-form__submit", i18n: "disputes.screening.submit", attrs: { type: "submit" } });
  const form = el("form", { className: "ledger-form screening-form", attrs: { novalidate: "", "aria-label": t("disputes.screening.formTitle", { unit: localName(options.unit) }) } }, [
    el("div", { className: "screening-form__row" }, [
      el("div", { className: "field" }, [el("label", { className: "field__label", i18n: "disputes.screening.foundLabel", attrs: { for: found.id } }), el("div", { className: "screening-form__found-row" }, [found, zero]), el("p", { className: "field__hint", i18n: "disputes.screening.foundHint" }), foundError]),
      labelled("disputes-screen-notes", "disputes.screening.notes", notes, notesError),
    ]),
    general,
    el("div", { className: "ledger-form__actions" }, [submit]),
  ]);
  parent.append(form);

  const send = async (): Promise<void> => {
    if (busy) {
      return;
    }
    errors.clear();
    const n = Number(found.value);
    if (found.value.trim() === "" || !Number.isInteger(n)) {
      errors.required(["found"]);
      return;
    }
    busy = true;
    setBusy(form, submit, true);
    try {
      const text = notes.value.trim();
      onSaved(await reportScreening({ week: week(), found: n, ...(text === "" ? {} : { notes: text }) }));
      form.reset();
    } catch (err) {
      errors.showRefusal(err);
    } finally {
      busy = false;
      setBusy(form, submit, false);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
  onLocaleChange(() => form.setAttribute("aria-label", t("disputes.screening.formTitle", { unit: localName(options.unit) })));
  return form;
}
