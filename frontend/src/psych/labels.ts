/** Words for the psych page's server values (literal keys, so i18n:check sees them). */

import { tk, type MessageKey } from "../shared/i18n";
import type { PsychActivityKind, PsychFigures, PsychOutcome, PsychServiceKind, TargetState } from "../shared/types";
import type { PsychTab } from "./access";

export const TABS: Readonly<Record<PsychTab, MessageKey>> = {
  attention: tk("psych.tab.attention"),
  activities: tk("psych.tab.activities"),
  instructions: tk("psych.tab.instructions"),
  reports: tk("psych.tab.reports"),
  figures: tk("psych.tab.figures"),
};

export const SERVICE_KINDS: Readonly<Record<PsychServiceKind, MessageKey>> = {
  counselling: tk("psych.service.counselling"),
  crisis_intervention: tk("psych.service.crisis_intervention"),
};

export const OUTCOMES: Readonly<Record<PsychOutcome, MessageKey>> = {
  continue: tk("psych.outcome.continue"),
  closed: tk("psych.outcome.closed"),
  referred_psychiatry: tk("psych.outcome.referred_psychiatry"),
  referred_hospital: tk("psych.outcome.referred_hospital"),
  incident_raised: tk("psych.outcome.incident_raised"),
};

export const ACTIVITY_KINDS: Readonly<Record<PsychActivityKind, MessageKey>> = {
  education: tk("psych.activity.education"),
  group_activity: tk("psych.activity.group_activity"),
  screening: tk("psych.activity.screening"),
  training: tk("psych.activity.training"),
};

export const TARGET_STATES: Readonly<Record<TargetState["state"], MessageKey>> = {
  open: tk("psych.instruction.state.open"),
  done: tk("psych.instruction.state.done"),
};

/** The figures in the order the tables show them; `people` ones may be withheld as "<5". */
export const FIGURES: readonly { key: keyof PsychFigures; label: MessageKey; people: boolean }[] = [
  { key: "assessments", label: tk("psych.figure.assessments"), people: false },
  { key: "people_assessed", label: tk("psych.figure.people_assessed"), people: false },
  { key: "moderate", label: tk("psych.figure.moderate"), people: true },
  { key: "moderately_severe", label: tk("psych.figure.moderately_severe"), people: true },
  { key: "severe", label: tk("psych.figure.severe"), people: true },
  { key: "self_harm", label: tk("psych.figure.self_harm"), people: true },
  { key: "counselling", label: tk("psych.figure.counselling"), people: false },
  { key: "crisis_interventions", label: tk("psych.figure.crisis_interventions"), people: false },
  { key: "referrals", label: tk("psych.figure.referrals"), people: false },
  { key: "activities", label: tk("psych.figure.activities"), people: false },
  { key: "attendees", label: tk("psych.figure.attendees"), people: false },
  { key: "open_crises", label: tk("psych.figure.open_crises"), people: false },
];
