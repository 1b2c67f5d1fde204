/**
 * The grading rule as the inspection form previews it, pure: a mirror of `assess` in
 * `backend/rentals/checklist.py`, driven by the server's checklist (`GET /api/rentals/checklist`:
 * weights, decisive items, thresholds, the minimum area per tenant). The server grades again when
 * the inspection arrives and its verdict is the one that counts; this only lets the inspector see
 * at the door what the house is heading for.
 */

import type { RentalChecklist, RentalChecklistItem, RentalGrade } from "../shared/types";

/** What the preview knows of the house and what the inspector entered. */
export interface GradeInput {
  ticked: ReadonlySet<string>;
  tenants: number;
  registered: number;
  /** The house's usable area (block data); null: overcrowding cannot be told. */
  areaM2: number | null;
  /** Key persons the block data registers at the address. */
  keyPersons: number;
}

/** One item that counts, with why. */
export interface Counted {
  item: RentalChecklistItem;
  /** Derived from the counts, or a factor from the block data, rather than ticked. */
  kind: RentalChecklistItem["kind"];
}

export interface GradePreview {
  /** Ticked and derived items, then factors, in checklist order. */
  counted: Counted[];
  score: number;
  grade: RentalGrade;
  /** The decisive items found (any one makes the house red). */
  decisive: string[];
  /** Usable area per tenant, when both are known and someone lives there. */
  areaPerTenant: number | null;
}

/** The derived items the server will find from the counts (`checklist.derived`). */
export function derivedItems(checklist: RentalChecklist, tenants: number, registered: number, areaM2: number | null): Set<string> {
  const out = new Set<string>();
  if (tenants > 0 && areaM2 !== null && areaM2 / tenants < checklist.min_area_per_tenant_m2) {
    out.add("overcrowded");
  }
  if (registered < tenants) {
    out.add("unregistered_tenants");
  }
  return out;
}

/** The verdict the server would give (`checklist.assess`). */
export function previewGrade(checklist: RentalChecklist, input: GradeInput): GradePreview {
  const derived = derivedItems(checklist, input.tenants, input.registered, input.areaM2);
  const found = checklist.items.filter((i) => (i.kind === "ticked" && input.ticked.has(i.code)) || (i.kind === "derived" && derived.has(i.code)));
  const factors = checklist.items.filter((i) => i.kind === "factor" && input.keyPersons > 0);
  const counted = [...found, ...factors].map((item) => ({ item, kind: item.kind }));
  const score = counted.reduce((sum, c) => sum + c.item.weight, 0);
  const decisive = found.filter((i) => i.decisive).map((i) => i.code);
  let grade: RentalGrade = "green";
  if (score >= checklist.red_score || decisive.length > 0) {
    grade = "red";
  } else if (score >= checklist.yellow_score) {
    grade = "yellow";
  }
  const areaPerTenant = input.tenants > 0 && input.areaM2 !== null ? input.areaM2 / input.tenants : null;
  return { counted, score, grade, decisive, areaPerTenant };
}
