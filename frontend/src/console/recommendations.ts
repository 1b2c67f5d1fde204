/**
 * Who dispatch would offer now, per role of the running step, with the server's reasons,
 * distance and ETA; "assign" offers the incident to one of them by hand, with a reason.
 * Asked again when the incident changes (debounced), when the role changes, or on demand.
 */

import { el, replaceChildren } from "../shared/dom";
import { showErrorText } from "../shared/error-text";
import { formatEta, t } from "../shared/i18n";
import { assignResponder, getRecommendations } from "../shared/incidents-api";
import type { Recommendation } from "../shared/types";
import { openFormDialog } from "../shared/ui/form-dialog";
import { reasonText, roleName } from "./labels";
import { refusalText } from "../shared/ui/refusal";

const REFRESH_DEBOUNCE_MS = 400;

export interface RecommendationsView {
  root: HTMLElement;
  /** The roles to offer (from the running step); re-asks when they or the incident changed. */
  update(roles: readonly string[], version: number): void;
  dispose(): void;
}

export function mountRecommendations(incidentId: string, onAssigned: () => void): RecommendationsView {
  const chips = el("div", { className: "recs__roles", attrs: { role: "tablist" } });
  const refresh = el("button", { className: "btn btn--small btn--ghost", i18n: "console.recs.refresh", attrs: { type: "button" } });
  const body = el("div", { className: "recs__body", attrs: { "aria-live": "polite" } });
  const root = el("section", { className: "ipanel__section recs" }, [
    el("header", { className: "ipanel__section-head" }, [el("h3", { className: "ipanel__section-title", i18n: "console.recs.title" }), chips, refresh]),
    body,
  ]);

  let roles: readonly string[] = [];
  let role: string | null = null;
  let version = -1;
  let asked = 0;
  let timer: number | undefined;
  let disposed = false;
  // What is drawn; an identical answer is not redrawn, so a button under the pointer stays put.
  let drawn = "";

  const renderChips = (): void => {
    replaceChildren(
      chips,
      roles.map((r) => {
        const chip = el("button", {
          className: `chip${r === role ? " is-on" : ""}`,
          text: roleName(r),
          attrs: { type: "button", role: "tab", "aria-selected": String(r === role) },
          dataset: { role: r },
        });
        chip.addEventListener("click", () => {
          role = r;
          renderChips();
          void load();
        });
        return chip;
      }),
    );
  };

  const row = (rec: Recommendation): HTMLElement => {
    const assign = el("button", { className: "btn btn--small btn--primary", i18n: "console.recs.assign", attrs: { type: "button" } });
    const chosenRole = role ?? "";
    assign.addEventListener("click", () => {
      void openFormDialog({
        title: t("console.recs.assignTitle", { name: rec.display_name, role: roleName(chosenRole) }),
        fields: [{ name: "reason", label: "console.field.reason", kind: "text", placeholder: "console.recs.reasonPlaceholder" }],
        submit: "console.recs.assign",
        onSubmit: async (values) => {
          await assignResponder(incidentId, { responder_id: rec.responder_id, role: chosenRole, reason: values.reason ?? "" });
        },
      }).then((ok) => {
        if (ok) {
          onAssigned();
          void load();
        }
      });
    });
    return el("li", { className: "rec", dataset: { responderId: rec.responder_id } }, [
      el("div", { className: "rec__main" }, [
        el("p", { className: "rec__name", text: rec.display_name }),
        el("p", { className: "rec__reasons", text: rec.reasons.map(reasonText).filter((r): r is string => r !== null).join(" · ") }),
      ]),
      el("div", { className: "rec__figures" }, [
        el("span", { text: t("console.recs.distance", { km: (rec.distance_m / 1000).toFixed(1) }) }),
        el("span", { text: t("console.recs.eta", { time: formatEta(rec.eta_s) }) }),
      ]),
      assign,
    ]);
  };

  async function load(): Promise<void> {
    window.clearTimeout(timer);
    if (role === null) {
      replaceChildren(body, [el("p", { className: "ipanel__empty", i18n: "console.recs.noRoles" })]);
      return;
    }
    const ticket = ++asked;
    body.setAttribute("aria-busy", "true");
    try {
      const recs = await getRecommendations(incidentId, role, 5);
      if (ticket !== asked || disposed) {
        return;
      }
      const shape = `${role}|${JSON.stringify(recs)}`;
      if (shape === drawn) {
        return;
      }
      drawn = shape;
      replaceChildren(body, recs.length === 0 ? [el("p", { className: "ipanel__empty", i18n: "console.recs.none" })] : [el("ol", { className: "recs__list" }, recs.map(row))]);
    } catch (err) {
      if (ticket === asked && !disposed) {
        const message = el("p", { className: "ipanel__error" });
        showErrorText(message, refusalText(err), err);
        drawn = "";
        replaceChildren(body, [message]);
      }
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  refresh.addEventListener("click", () => void load());

  return {
    root,
    update(next, nextVersion) {
      const rolesChanged = next.join(",") !== roles.join(",");
      roles = [...next];
      if (role === null || !roles.includes(role)) {
        role = roles[0] ?? null;
      }
      if (rolesChanged) {
        renderChips();
      }
      if (rolesChanged || nextVersion !== version) {
        version = nextVersion;
        window.clearTimeout(timer);
        timer = window.setTimeout(() => void load(), rolesChanged ? 0 : REFRESH_DEBOUNCE_MS);
      }
    },
    dispose() {
      disposed = true;
      window.clearTimeout(timer);
    },
  };
}
