/**
 * The intake draft, free of the DOM: what the operator has chosen, the request it makes, the
 * idempotency key that makes a double submit create one incident, and where a server error
 * belongs on the form.
 */

import type { AddressCandidate, IncidentCreateRequest, PlaceInput } from "../shared/types";

/** Where the incident is, as chosen so far. */
export type PlaceChoice =
  | { mode: "none" }
  | { mode: "address"; address: Pick<AddressCandidate, "address_id" | "text" | "lat" | "lon"> }
  | { mode: "point"; lat: number; lon: number }
  | { mode: "text"; text: string };

export interface IntakeDraft {
  kind: string;
  /** null: the playbook's own priority. */
  priority: number | null;
  place: PlaceChoice;
  patientId: string | null;
  violent: boolean;
  description: string;
}

export function emptyDraft(kind = "crisis_at_home"): IntakeDraft {
  return { kind, priority: null, place: { mode: "none" }, patientId: null, violent: false, description: "" };
}

function placeInput(place: PlaceChoice): PlaceInput {
  switch (place.mode) {
    case "address":
      return { address_id: place.address.address_id };
    case "point":
      return { lat: place.lat, lon: place.lon };
    case "text":
      return { text: place.text };
    case "none":
      return {}; // the server says which field is missing; the form shows it there
  }
}

/** The `POST /api/incidents` body for the draft (nothing is checked here: the server does). */
export function toRequest(draft: IntakeDraft): IncidentCreateRequest {
  const body: IncidentCreateRequest = { kind: draft.kind, place: placeInput(draft.place) };
  if (draft.priority !== null) {
    body.priority = draft.priority;
  }
  if (draft.patientId !== null) {
    body.patient_id = draft.patientId;
  }
  if (draft.violent) {
    body.violent = true;
  }
  if (draft.description.trim() !== "") {
    body.description = draft.description.trim();
  }
  return body;
}

/** The form's fields a server error can point at. */
export type IntakeField = "kind" | "priority" | "place" | "patient" | "description" | "general";

/** The form field for the server's `field` (`place.text`, `patient_id`, `kind`, …). */
export function fieldFor(serverField: string | null): IntakeField {
  if (serverField === null) {
    return "general";
  }
  const head = serverField.replace(/^\$\./, "").split(".")[0] ?? "";
  switch (head) {
    case "place":
      return "place";
    case "kind":
      return "kind";
    case "priority":
      return "priority";
    case "patient_id":
      return "patient";
    case "description":
      return "description";
    default:
      return "general";
  }
}

/** A fresh `Idempotency-Key` (works outside secure contexts too: no randomUUID needed). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `console-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Keys per draft: the same key for every submit of the same body (a double click, a retry after
 * a timeout), so the server creates one incident; a new key once that body created one, or
 * when the body changed after a refusal (the server would reject a reused key with another body
 * only if the first had created something, so changing the key there is merely tidy).
 */
export class IdempotencyKeys {
  private key = newIdempotencyKey();
  private body: string | null = null;

  keyFor(request: IncidentCreateRequest): string {
    const body = JSON.stringify(request);
    if (this.body !== null && this.body !== body) {
      this.key = newIdempotencyKey();
    }
    this.body = body;
    return this.key;
  }

  /** The incident was created: the next draft is another incident. */
  created(): void {
    this.key = newIdempotencyKey();
    this.body = null;
  }
}
