/**
 * Case work (个案随访): the live warnings across the top, the follow-up worklist on the left,
 * the selected patient on the right (record, next due date, the visit form, the history). Any
 * warning or visit event on the `me` or `wall` topic re-fetches what it touches; nothing is
 * patched by hand. On a narrow screen (a tablet upright) the three stack, and picking a patient
 * scrolls their record into view.
 */

import { el } from "../shared/dom";
import { t } from "../shared/i18n";
import type { Session } from "../shared/session";
import { mountAppHeader } from "../shared/ui/app-header";
import { startCaseworkLive } from "./live-refresh";
import { mountPatientPanel } from "./patient-panel";
import { showToast } from "../shared/ui/toast";
import { mountWarnings } from "./warnings-panel";
import { mountWorklist } from "./worklist";

const NARROW = "(max-width: 900px)";

export function renderCasework(root: HTMLElement, session: Session): void {
  const shell = el("div", { className: "casework" });
  root.append(shell);
  mountAppHeader(shell, session, { title: "casework.title", current: "casework" });

  const top = el("div", { className: "casework__warnings" });
  const left = el("aside", { className: "casework__list" });
  const right = el("main", { className: "casework__patient" });
  shell.append(el("div", { className: "casework__body" }, [top, left, right]));

  const refreshLists = (): void => {
    void worklist.load();
    void warnings.load();
  };
  const select = (patientId: string): void => {
    worklist.setSelected(patientId);
    void patient.show(patientId);
    if (window.matchMedia(NARROW).matches) {
      patient.root.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  };

  const now = (): number => client.serverNow();
  const worklist = mountWorklist(left, select);
  const warnings = mountWarnings(top, { onSelect: select, onAcknowledged: () => void worklist.load(), nameOf: (id) => worklist.nameOf(id), now });
  const patient = mountPatientPanel(right, {
    now,
    onRecorded: (result) => {
      showToast(t(result.duplicate ? "casework.form.duplicate" : "casework.form.recorded"));
      refreshLists();
    },
  });
  const client = startCaseworkLive({ lists: refreshLists, patient: (id) => void patient.refresh(id) });

  // The worklist first: the warnings then know the names of the patients it lists.
  void worklist.load().then(() => warnings.load());
}
