/**
 * Finding a person of the people records (`backend/api/people`), for every page that records
 * something about one (the psych page, a dispute's parties). The key goes in the body, never in
 * a URL.
 */

import { sendAuthorized } from "./auth";
import { ENDPOINTS } from "./endpoints";
import type { PersonLookupRequest, PersonPage } from "./types";

/** Persons of the jurisdiction with this ID number or phone (404 `unknown_person` naming the field). */
export function lookupPerson(key: PersonLookupRequest): Promise<PersonPage> {
  const e = ENDPOINTS.personLookup;
  return sendAuthorized<PersonPage>({ method: e.method, path: e.path, body: key });
}
