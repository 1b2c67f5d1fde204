/**
 * Words for a dispute's kind and risk (`backend/disputes/policy.py`), shared by the dispute page
 * and the early-warning cards that name a high-risk or overdue dispute on every page (literal
 * keys, so i18n:check sees them; texts in `i18n/disputes.*.json`).
 */

import { tk, type MessageKey } from "./i18n";
import type { DisputeKind, DisputeRisk } from "./types";

export const DISPUTE_KINDS: readonly DisputeKind[] = ["neighbour", "family", "labour", "property", "land", "consumer", "traffic", "other"];
/** Highest first, as lists sort them. */
export const DISPUTE_RISKS: readonly DisputeRisk[] = ["high", "medium", "low"];

export const KIND_NAMES: Readonly<Record<DisputeKind, MessageKey>> = {
  neighbour: tk("disputes.kind.neighbour"),
  family: tk("disputes.kind.family"),
  labour: tk("disputes.kind.labour"),
  property: tk("disputes.kind.property"),
  land: tk("disputes.kind.land"),
  consumer: tk("disputes.kind.consumer"),
  traffic: tk("disputes.kind.traffic"),
  other: tk("disputes.kind.other"),
};

/** "高风险", "中风险", "低风险": words beside the colour, never colour alone. */
export const RISK_NAMES: Readonly<Record<DisputeRisk, MessageKey>> = {
  high: tk("disputes.risk.high"),
  medium: tk("disputes.risk.medium"),
  low: tk("disputes.risk.low"),
};

export function isDisputeKind(value: unknown): value is DisputeKind {
  return typeof value === "string" && (DISPUTE_KINDS as readonly string[]).includes(value);
}

export function isDisputeRisk(value: unknown): value is DisputeRisk {
  return typeof value === "string" && (DISPUTE_RISKS as readonly string[]).includes(value);
}
