/** How the psych page names a person the server sent masked: name, gender and year, the masked ID number. */

import { labelOf, t, tk, type MessageKey } from "../shared/i18n";
import type { PersonView } from "../shared/types";

const GENDERS: Readonly<Record<"male" | "female" | "unknown", MessageKey>> = {
  male: tk("psych.gender.male"),
  female: tk("psych.gender.female"),
  unknown: tk("psych.gender.unknown"),
};

/** The name, or "(name hidden)". */
export function personName(p: { name: string | null }): string {
  return p.name ?? t("psych.person.nameHidden");
}

/** "王某某 · 女 · 1986 年生": what tells two people of one phone apart. */
export function personLine(p: PersonView): string {
  return [personName(p), p.gender === null ? null : labelOf(GENDERS, p.gender), p.birth_year === null ? null : t("psych.person.born", { year: p.birth_year }), p.id_number]
    .filter((x): x is string => x !== null && x !== "")
    .join(" · ");
}
