/**
 * Activities (活动): the centre's talks, groups, screening days and trainings, newest first, and
 * the form to add one (kind, title, when, attendees). The activity id is made once per form
 * and renewed after a success, so a double click or a retry is stored once.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { fromLocalInput, formatDayTime, toLocalInput } from "../shared/dates";
import { labelOf, localName, onLocaleChange, t } from "../shared/i18n";
import type { ActivityCreate, ActivityPage, ActivityView, PsychActivityKind } from "../shared/types";
import { showToast } from "../shared/ui/toast";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { ACTIVITY_KINDS } from "./labels";
import { getActivities, recordActivity } from "./psych-api";
import type { Tab } from "../shared/ui/tabs";

export function mountActivitiesTab(parent: HTMLElement, unitName: { name_zh: string; name_en: string }): Tab {
  let page: ActivityPage | null = null;
  let problem: unknown = null;
  let asked = 0;

  const list = el("div", { className: "activities__list" });
  const formHost = el("div", { className: "activities__form" });
  const root = el("section", { className: "panel activities", attrs: { "aria-labelledby": "psych-activities-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "psych.activities.title", attrs: { id: "psych-activities-title" } })]),
    el("div", { className: "activities__body" }, [formHost, list]),
  ]);
  parent.append(root);
  mountActivityForm(formHost, unitName, () => void load());

  const render = (): void => {
    const failed = problem === null ? null : el("p", { className: "field__error" });
    if (failed !== null) {
      showErrorText(failed, describeError(problem), problem);
    }
    if (page === null) {
      replaceChildren(list, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    root.dataset.count = String(page.items.length);
    replaceChildren(list, [
      failed,
      el("h3", { className: "section-title", text: t("psych.activities.listTitle", { n: page.items.length }) }),
      page.items.length === 0 ? el("p", { className: "empty", i18n: "psych.activities.none" }) : el("ol", { className: "psych-history" }, page.items.map(activityItem)),
    ]);
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await getActivities();
      if (ticket !== asked) {
        return;
      }
      page = answer;
      problem = null;
    } catch (err) {
      if (ticket !== asked) {
        return;
      }
      problem = err;
    }
    render();
  }

  render();
  onLocaleChange(render);
  return { root, load };
}

function activityItem(a: ActivityView): HTMLElement {
  return el("li", { className: "psych-entry activity", dataset: { activityId: a.id, kind: a.kind } }, [
    el("div", { className: "psych-entry__top" }, [
      el("time", { className: "psych-entry__time", text: formatDayTime(a.at), attrs: { datetime: a.at } }),
      el("span", { className: "psych-entry__what", text: labelOf(ACTIVITY_KINDS, a.kind) }),
      el("span", { className: "psych-entry__by", text: t("psych.record.by", { name: a.by_name }) }),
    ]),
    el("strong", { className: "activity__title", text: a.title }),
    el("span", { className: "activity__attendees", text: t("psych.activities.attendeesN", { n: a.attendees }) }),
  ]);
}

function mountActivityForm(parent: HTMLElement, unit: { name_zh: string; name_en: string }, onRecorded: () => void): void {
  const kind = el("select", { className: "field__input", attrs: { id: "psych-activity-kind", name: "kind" } }, Object.entries(ACTIVITY_KINDS).map(([value, key]) => el("option", { i18n: key, attrs: { value } })));
  const title = el("input", { className: "field__input", attrs: { id: "psych-activity-title", name: "title", type: "text", maxlength: "120", autocomplete: "off" } });
  const at = el("input", { className: "field__input", attrs: { id: "psych-activity-at", name: "at", type: "datetime-local" } });
  const attendees = el("input", { className: "field__input", attrs: { id: "psych-activity-attendees", name: "attendees", type: "number", min: "0", max: "100000", step: "1", inputmode: "numeric" } });
  const general = el("p", { className: "psych-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const lines = { kind: errorLine(kind.id), title: errorLine(title.id), at: errorLine(at.id), attendees: errorLine(attendees.id) };
  errors.add("kind", lines.kind, kind);
  errors.add("title", lines.title, title);
  errors.add("at", lines.at, at);
  errors.add("attendees", lines.attendees, attendees);
  const submit = el("button", { className: "btn btn--primary psych-form__submit", i18n: "psych.activities.submit", attrs: { type: "submit" } });
  const heading = el("h3", { className: "section-title", attrs: { id: "psych-activity-form-title" } });
  const form = el("form", { className: "psych-form activity-form", attrs: { novalidate: "", "aria-labelledby": heading.id } }, [
    heading,
    el("div", { className: "psych-form__row" }, [labelled(kind.id, "psych.activities.kind", kind, lines.kind), labelled(at.id, "psych.form.at", at, lines.at)]),
    labelled(title.id, "psych.activities.titleField", title, lines.title),
    labelled(attendees.id, "psych.activities.attendees", attendees, lines.attendees),
    general,
    el("div", { className: "psych-form__actions" }, [submit]),
  ]);
  parent.append(form);

  const drawHeading = (): void => {
    heading.textContent = t("psych.activities.formTitle", { unit: localName(unit) });
  };
  const reset = (): void => {
    kind.value = "education";
    title.value = "";
    at.value = toLocalInput(new Date());
    attendees.value = "";
  };

  const request = (id: string): ActivityCreate | null => {
    const when = fromLocalInput(at.value);
    const people = Number(attendees.value);
    const missing = [title.value.trim() === "" ? "title" : null, when === null ? "at" : null, attendees.value.trim() === "" || !Number.isInteger(people) ? "attendees" : null].filter((x): x is string => x !== null);
    if (missing.length > 0 || when === null) {
      errors.required(missing);
      return null;
    }
    return { id, kind: kind.value as PsychActivityKind, title: title.value.trim(), at: when, attendees: people };
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: recordActivity,
    done: (stored) => {
      reset();
      showToast(t(stored.duplicate ? "psych.activities.recordedBefore" : "psych.activities.recorded"));
      onRecorded();
    },
    idTaken: { code: "activity_id_taken" },
    staysOpen: true,
  });
  reset();
  drawHeading();
  onLocaleChange(drawHeading);
}
