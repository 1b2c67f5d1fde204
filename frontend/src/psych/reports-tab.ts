/**
 * Monthly reports (月报): pick a month (the current one by default); the unit's figures for it
 * as they stand, its own report once sent (frozen figures, who and when, the comment) or the
 * form to send it up with a comment, and the units below: reported or not yet, with the figures
 * they reported. The report id is made once per month shown, so a second click or a retry
 * stores nothing new (200 `duplicate`). Leaders read; only those who record send.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { formatDayTime } from "../shared/dates";
import { ApiError } from "../shared/http";
import { localName, onLocaleChange, t } from "../shared/i18n";
import type { ReportCreate, ReportStatus } from "../shared/types";
import { showToast } from "../shared/ui/toast";
import { newUuid } from "../shared/uuid";
import type { Access } from "./access";
import { figuresTable, figureTiles } from "./figures";
import { errorLine, FieldErrors, setBusy } from "../shared/ui/form-kit";
import { isPeriod } from "./months";
import { getReports, submitReport } from "./psych-api";
import type { Tab } from "../shared/ui/tabs";

/** The levels whose sub-units send them monthly reports. */
const REPORTED_TO: ReadonlySet<string> = new Set(["district", "street"]);

export function mountReportsTab(parent: HTMLElement, access: Access): Tab {
  // null: the current month on the district's clock, learnt from the first answer
  let period: string | null = null;
  let status: ReportStatus | null = null;
  let problem: unknown = null;
  let asked = 0;
  let reportId = newUuid();
  let comment = "";
  let busy = false;

  const month = el("input", { className: "field__input month-input", attrs: { id: "psych-report-period", type: "month" } });
  month.addEventListener("change", () => {
    if (isPeriod(month.value) && month.value !== period) {
      period = month.value;
      reportId = newUuid(); // another month is another report
      comment = "";
      status = null;
      render();
      void load();
    }
  });
  const own = el("div", { className: "reports__own" });
  const children = el("div", { className: "reports__children" });
  const root = el("section", { className: "panel reports", attrs: { "aria-labelledby": "psych-reports-title" } }, [
    el("header", { className: "panel__header" }, [
      el("h2", { className: "panel__title", i18n: "psych.reports.title", attrs: { id: "psych-reports-title" } }),
      el("div", { className: "reports__month" }, [el("label", { className: "field__label", i18n: "psych.reports.month", attrs: { for: month.id } }), month]),
    ]),
    el("div", { className: "reports__body" }, [own, children]),
  ]);
  parent.append(root);

  const render = (): void => {
    root.dataset.period = status?.period ?? "";
    const failed = problem === null ? null : el("p", { className: "field__error" });
    if (failed !== null) {
      showErrorText(failed, describeError(problem), problem);
    }
    if (status === null) {
      replaceChildren(own, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      replaceChildren(children, []);
      return;
    }
    const s = status;
    root.dataset.reported = String(s.own !== null);
    // A record typed in after the report shows as a difference beside what was sent.
    const moved = s.own !== null && JSON.stringify(s.own.figures) !== JSON.stringify(s.live);
    replaceChildren(own, [
      failed,
      el("h3", { className: "section-title", text: t(s.own === null ? "psych.reports.live" : "psych.reports.frozen", { period: s.period }) }),
      figureTiles(s.own?.figures ?? s.live),
      moved ? el("h3", { className: "section-title", text: t("psych.reports.liveSince", { period: s.period }) }) : null,
      moved ? figureTiles(s.live) : null,
      s.own !== null
        ? el("div", { className: "report-sent", dataset: { reportId: s.own.id } }, [
            el("strong", { className: "report-sent__state", i18n: "psych.reports.sent" }),
            el("span", { text: t("psych.reports.sentBy", { name: s.own.submitted_by_name, time: formatDayTime(s.own.submitted_at) }) }),
            s.own.comment === null ? null : el("p", { className: "report-sent__comment", text: s.own.comment }),
          ])
        : s.can_report && access.record
          ? submitForm(s)
          : s.can_report
            ? el("p", { className: "record__muted", i18n: "psych.reports.notYetReadOnly" })
            : el("p", { className: "record__muted", i18n: "psych.reports.receives" }),
    ]);
    const reported = s.children.filter((c) => c.report !== null).length;
    // Only streets and the district have centres below them that report: the server also lists
    // a community's grids, which keep no station and can never report (grid_does_not_report).
    children.hidden = s.children.length === 0 || !REPORTED_TO.has(s.level);
    replaceChildren(children, [
      el("h3", { className: "section-title", text: t("psych.reports.children", { done: reported, n: s.children.length }) }),
      figuresTable(
        t("psych.reports.childrenCaption", { period: s.period }),
        s.children.map((c) => ({
          name: localName(c),
          path: c.org_path,
          figures: c.report?.figures ?? null,
          extra: [
            el("td", { className: "report-state" }, [
              el("span", { className: "state-chip", text: t(c.report === null ? "psych.reports.childOpen" : "psych.reports.childDone"), dataset: { state: c.report === null ? "open" : "done" } }),
              c.report === null ? null : el("span", { className: "report-state__time", text: formatDayTime(c.report.submitted_at) }),
            ]),
          ],
        })),
        null,
        [t("psych.reports.state")],
      ),
    ]);
  };

  const submitForm = (s: ReportStatus): HTMLElement => {
    const text = el("textarea", { className: "field__input", attrs: { id: "psych-report-comment", name: "comment", rows: "2", maxlength: "2000", placeholder: t("psych.reports.commentPlaceholder") } });
    text.value = comment;
    text.addEventListener("input", () => {
      comment = text.value;
    });
    const general = el("p", { className: "psych-form__error", attrs: { role: "alert" } });
    const errors = new FieldErrors(general);
    const line = errorLine(text.id);
    errors.add("comment", line, text);
    errors.add("period", general, month);
    const submit = el("button", { className: "btn btn--primary psych-form__submit report__submit", i18n: "psych.reports.submit", attrs: { type: "submit" } });
    const form = el("form", { className: "psych-form report-form", attrs: { novalidate: "" }, dataset: { formId: reportId } }, [
      el("p", { className: "field__hint", text: t("psych.reports.notYet", { period: s.period }) }),
      el("label", { className: "field__label", i18n: "psych.reports.comment", attrs: { for: text.id } }),
      text,
      line,
      general,
      el("div", { className: "psych-form__actions" }, [submit]),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (busy) {
        return; // the same id would be stored once anyway
      }
      errors.clear();
      const body: ReportCreate = { id: reportId, period: s.period };
      if (comment.trim() !== "") {
        body.comment = comment.trim();
      }
      busy = true;
      setBusy(form, submit, true);
      submitReport(body)
        .then((result) => {
          showToast(t(result.duplicate ? "psych.reports.duplicate" : "psych.reports.submitted"));
          comment = "";
          void load();
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.code === "already_reported") {
            showToast(describeError(err)); // sent before under another id: show what was sent
            void load();
            return;
          }
          errors.showRefusal(err);
        })
        .finally(() => {
          busy = false;
          if (form.isConnected) {
            setBusy(form, submit, false);
          }
        });
    });
    return form;
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await getReports(period ?? undefined);
      if (ticket !== asked) {
        return;
      }
      if (period === null) {
        period = answer.period;
        month.max = answer.period; // a month still to come cannot be reported
        month.value = answer.period;
      }
      status = answer;
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
