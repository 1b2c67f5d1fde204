/**
 * How a person the server sent masked is named on every page that finds people by ID number or
 * phone (the psych page, a dispute's parties): the name, gender and year, the masked ID number.
 * Texts in `i18n/*.json` (`person.*`).
 */

import { labelOf, t, tk, type MessageKey } from "./i18n";
import type { PersonView } from "./types";

const GENDERS: Readonly<Record<"male" | "female" | "unknown", MessageKey>> = {
  male: tk("person.gender.male"),
  female: tk("person.gender.female"),
  unknown: tk("person.gender.unknown"),
};

/** The name, or "(name hidden)". */
export function personName(p: { name: string | null }): string {
  return p.name ?? t("person.nameHidden");
}

/** "王某某 · 女 · 1986 年生": what tells two people of one phone apart. */
export function personLine(p: PersonView): string {
  return [personName(p), p.gender === null ? null : labelOf(GENDERS, p.gender), p.birth_year === null ? null : t("person.born", { year: p.birth_year }), p.id_number]
    .filter((x): x is string => x !== null && x !== "")
    .join(" · ");
}
