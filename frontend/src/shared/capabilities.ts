/** Names of responder capabilities (backend `Capability`); unknown ones are shown as sent. */

import { t, tk, type MessageKey } from "./i18n";

export const CAPABILITY_LABELS: Record<string, MessageKey> = {
  police: tk("capability.police"),
  community_doctor: tk("capability.community_doctor"),
  psychiatrist: tk("capability.psychiatrist"),
  psychiatric_nurse: tk("capability.psychiatric_nurse"),
  social_worker: tk("capability.social_worker"),
  grid_worker: tk("capability.grid_worker"),
  civil_affairs: tk("capability.civil_affairs"),
  disability_federation: tk("capability.disability_federation"),
  guardian: tk("capability.guardian"),
  ambulance: tk("capability.ambulance"),
};

/** A capability's name in the current language. */
export function capabilityLabel(capability: string): string {
  const key = CAPABILITY_LABELS[capability];
  return key === undefined ? capability : t(key);
}
