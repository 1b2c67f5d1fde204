/**
 * The visit being recorded, free of the DOM: the request it makes, the visit id that makes a
 * retry store it once, and where a server error belongs on the form.
 */

import type { FollowUpCreate, Medication, VisitCondition, VisitKind } from "../shared/types";
import { fromLocalInput } from "../shared/dates";
import { newUuid } from "../shared/uuid";

/** What the form holds; times are `datetime-local` values (local time). */
export interface VisitDraft {
  kind: VisitKind;
  at: string;
  condition: VisitCondition | null;
  riskGrade: number;
  medication: Medication | null;
  notes: string;
  nextDue: string;
}

/** The form's places for an error. */
export type VisitField = "kind" | "at" | "condition" | "risk_grade" | "medication" | "notes" | "next_due_at" | "general";

/** What the form must have before it asks the server: a choice it cannot default for the visitor. */
export function missingChoices(draft: VisitDraft): VisitField[] {
  const missing: VisitField[] = [];
  if (draft.condition === null) {
    missing.push("condition");
  }
  if (draft.medication === null) {
    missing.push("medication");
  }
  return missing;
}

/**
 * The `POST /api/patients/{id}/follow-ups` body; null while a choice is missing. An unreadable
 * time is sent as the empty string, so the server names the field.
 */
export function toRequest(id: string, draft: VisitDraft): FollowUpCreate | null {
  if (draft.condition === null || draft.medication === null) {
    return null;
  }
  const body: FollowUpCreate = {
    id,
    at: fromLocalInput(draft.at) ?? draft.at,
    kind: draft.kind,
    condition: draft.condition,
    risk_grade: draft.riskGrade,
    medication: draft.medication,
  };
  const notes = draft.notes.trim();
  if (notes !== "") {
    body.notes = notes;
  }
  if (draft.nextDue.trim() !== "") {
    body.next_due_at = fromLocalInput(draft.nextDue) ?? draft.nextDue;
  }
  return body;
}

const FIELDS: ReadonlySet<string> = new Set(["kind", "at", "condition", "risk_grade", "medication", "notes", "next_due_at"]);

/** The form field for the server's `field` (`at`, `$.next_due_at`, …); "general" for others. */
export function fieldFor(serverField: string | null): VisitField {
  const bare = (serverField ?? "").replace(/^\$\./, "");
  return FIELDS.has(bare) ? (bare as VisitField) : "general";
}

/** A new visit's id (a v4 UUID, made without `crypto.randomUUID`: see `shared/uuid.ts`). */
export function newVisitId(): string {
  return newUuid();
}
