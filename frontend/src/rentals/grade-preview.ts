/**
 * The inspection form's live grade (评定预览): the grade the house is heading for, its score
 * against the thresholds, and each item that counts with its weight and, for the ones the
 * inspector did not tick, why it counts (the area per tenant, the tenants not registered, a key
 * person registered at the address). The server grades again on submit. The box carries
 * `data-grade`, `data-score` and `data-items` (the codes that count, comma-separated).
 */

import { el, replaceChildren } from "../shared/dom";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { GRADE_NAMES, ITEM_NAMES } from "../shared/rental-terms";
import type { RentalChecklist } from "../shared/types";
import { previewGrade, type Counted, type GradePreview } from "./grading";
import { gradeBadge } from "./house-text";

export interface PreviewInput {
  ticked: ReadonlySet<string>;
  /** As typed: null while empty or unreadable (counted as 0, and said so). */
  tenants: number | null;
  registered: number | null;
}

export interface GradePreviewBox {
  update(input: PreviewInput): void;
}

/** Mounts the preview in `parent` for a house of `areaM2` with `keyPersons` registered there. */
export function mountGradePreview(parent: HTMLElement, checklist: RentalChecklist, areaM2: number | null, keyPersons: number): GradePreviewBox {
  let last: PreviewInput = { ticked: new Set(), tenants: null, registered: null };

  const head = el("div", { className: "grade-preview__head" });
  const rule = el("p", { className: "grade-preview__rule" });
  const list = el("div", { className: "grade-preview__items" });
  const next = el("p", { className: "grade-preview__next" });
  const root = el("section", { className: "grade-preview", attrs: { "aria-live": "polite", "aria-labelledby": "rentals-preview-title" } }, [
    el("h4", { className: "grade-preview__title", i18n: "rentals.preview.title", attrs: { id: "rentals-preview-title" } }),
    head,
    list,
    rule,
    next,
    el("p", { className: "grade-preview__note", i18n: "rentals.preview.serverDecides" }),
  ]);
  parent.append(root);

  const explain = (c: Counted, p: GradePreview, input: PreviewInput): string | null => {
    if (c.item.code === "overcrowded" && p.areaPerTenant !== null) {
      return t("rentals.preview.overcrowded", { per: Math.round(p.areaPerTenant * 10) / 10, min: checklist.min_area_per_tenant_m2 });
    }
    if (c.item.code === "unregistered_tenants") {
      return t("rentals.preview.unregistered", { tenants: input.tenants ?? 0, registered: input.registered ?? 0 });
    }
    if (c.kind === "factor") {
      return t("rentals.preview.keyPersons", { n: keyPersons });
    }
    return null;
  };

  const draw = (): void => {
    const input = last;
    const p = previewGrade(checklist, { ticked: input.ticked, tenants: input.tenants ?? 0, registered: input.registered ?? 0, areaM2, keyPersons });
    root.dataset.grade = p.grade;
    root.dataset.score = String(p.score);
    root.dataset.items = p.counted.map((c) => c.item.code).join(",");
    replaceChildren(head, [gradeBadge(p.grade, "grade-badge--large"), el("span", { className: "grade-preview__score", text: t("rentals.preview.score", { n: p.score }) })]);
    rule.textContent = t("rentals.preview.rule", { red: checklist.red_score, yellow: checklist.yellow_score });
    const lines = p.counted.map((c) => {
      const why = explain(c, p, input);
      return el("li", { className: `grade-preview__item grade-preview__item--${c.kind}`, dataset: { item: c.item.code, kind: c.kind } }, [
        el("span", { className: "grade-preview__name", text: labelOf(ITEM_NAMES, c.item.code) }),
        c.item.decisive ? el("span", { className: "decisive-chip", i18n: "rentals.item.decisive" }) : null,
        c.kind === "ticked" ? null : el("span", { className: "grade-preview__kind", i18n: c.kind === "factor" ? "rentals.preview.kind.factor" : "rentals.preview.kind.derived" }),
        el("span", { className: "grade-preview__weight", text: t("rentals.inspect.weight", { n: c.item.weight }) }),
        why === null ? null : el("span", { className: "grade-preview__why", text: why }),
      ]);
    });
    replaceChildren(list, [
      lines.length === 0 ? el("p", { className: "grade-preview__none", i18n: "rentals.preview.nothing" }) : el("ul", { className: "grade-preview__list" }, lines),
      input.tenants === null ? el("p", { className: "field__hint", i18n: "rentals.preview.enterCounts" }) : null,
      areaM2 === null && input.tenants !== null && input.tenants > 0 ? el("p", { className: "field__hint", i18n: "rentals.preview.noArea" }) : null,
    ]);
    const days = checklist.inspect_days[p.grade];
    next.textContent = days === undefined ? "" : t("rentals.preview.next", { grade: t(GRADE_NAMES[p.grade]), days });
  };

  draw();
  const stop = onLocaleChange(() => {
    if (!root.isConnected) {
      stop(); // the form was closed
      return;
    }
    draw();
  });
  return {
    update(input) {
      last = input;
      draw();
    },
  };
}
