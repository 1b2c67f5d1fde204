/**
 * The two screening scales as the form fills them, free of the DOM: the items in order (their
 * texts are i18n keys), the running total and band, and the self-harm item. The server scores
 * again and its answer is what is stored; this mirrors `backend/psych/scales.py` (PHQ-9 bands
 * 5/10/15/20, GAD-7 5/10/15, PHQ-9 item 9 any answer above 0 = self-harm thoughts) so the
 * counsellor sees the result while filling in.
 */

import { tk, type MessageKey } from "../shared/i18n";
import type { PsychBand, PsychScale } from "../shared/types";

/** The answers every item offers: how often over the last two weeks. */
export const ANSWERS: readonly { value: number; label: MessageKey }[] = [
  { value: 0, label: tk("psych.answer.0") },
  { value: 1, label: tk("psych.answer.1") },
  { value: 2, label: tk("psych.answer.2") },
  { value: 3, label: tk("psych.answer.3") },
];

/** Each scale's items, in the order the server expects the answers. */
export const ITEMS: Readonly<Record<PsychScale, readonly MessageKey[]>> = {
  phq9: [
    tk("psych.phq9.item1"),
    tk("psych.phq9.item2"),
    tk("psych.phq9.item3"),
    tk("psych.phq9.item4"),
    tk("psych.phq9.item5"),
    tk("psych.phq9.item6"),
    tk("psych.phq9.item7"),
    tk("psych.phq9.item8"),
    tk("psych.phq9.item9"),
  ],
  gad7: [
    tk("psych.gad7.item1"),
    tk("psych.gad7.item2"),
    tk("psych.gad7.item3"),
    tk("psych.gad7.item4"),
    tk("psych.gad7.item5"),
    tk("psych.gad7.item6"),
    tk("psych.gad7.item7"),
  ],
};

/** Zero-based index of PHQ-9's "better off dead or hurting yourself" item. */
export const SELF_HARM_ITEM: Readonly<Partial<Record<PsychScale, number>>> = { phq9: 8 };

// (lowest total of the band, band), highest first
const BANDS: Readonly<Record<PsychScale, readonly (readonly [number, PsychBand])[]>> = {
  phq9: [
    [20, "severe"],
    [15, "moderately_severe"],
    [10, "moderate"],
    [5, "mild"],
    [0, "minimal"],
  ],
  gad7: [
    [15, "severe"],
    [10, "moderate"],
    [5, "mild"],
    [0, "minimal"],
  ],
};

/** The band of a total. */
export function bandOf(scale: PsychScale, total: number): PsychBand {
  return BANDS[scale].find(([lowest]) => total >= lowest)?.[1] ?? "minimal";
}

/** What the form shows while filling in: answered so far, total, band, and self-harm thoughts. */
export interface Tally {
  answered: number;
  items: number;
  total: number;
  band: PsychBand;
  selfHarm: boolean;
  complete: boolean;
}

/** The tally of `answers` (null: not answered yet), one per item of `scale`. */
export function tally(scale: PsychScale, answers: readonly (number | null)[]): Tally {
  const given = answers.filter((a): a is number => a !== null);
  const total = given.reduce((sum, a) => sum + a, 0);
  const item = SELF_HARM_ITEM[scale];
  const selfHarm = item !== undefined && (answers[item] ?? 0) > 0;
  const items = ITEMS[scale].length;
  return { answered: given.length, items, total, band: bandOf(scale, total), selfHarm, complete: given.length === items };
}

/** A band at which the person should be seen again (the attention list's rule: moderate and above). */
export function needsFollowUp(band: PsychBand): boolean {
  return band === "moderate" || band === "moderately_severe" || band === "severe";
}
