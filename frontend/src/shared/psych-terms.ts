/**
 * Words for the screening scales and their severity bands (`backend/psych/scales.py`), shared
 * by the psych page and the early-warning cards that show a psychological-crisis finding on
 * every page (literal keys, so i18n:check sees them; texts in `i18n/psych.*.json`).
 */

import { tk, type MessageKey } from "./i18n";
import type { PsychBand, PsychScale } from "./types";

export const SCALE_NAMES: Readonly<Record<PsychScale, MessageKey>> = {
  phq9: tk("psych.scale.phq9"),
  gad7: tk("psych.scale.gad7"),
};

export const BAND_NAMES: Readonly<Record<PsychBand, MessageKey>> = {
  minimal: tk("psych.band.minimal"),
  mild: tk("psych.band.mild"),
  moderate: tk("psych.band.moderate"),
  moderately_severe: tk("psych.band.moderately_severe"),
  severe: tk("psych.band.severe"),
};
