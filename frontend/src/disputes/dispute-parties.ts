/**
 * A dispute's parties linked to the people records (当事人): each with the name the server gives
 * (masked by role), a 重点人员 badge naming why (a registered patient of risk grade 3+, community
 * correction, drug rehabilitation; words, never colour alone), who linked them and when. On a
 * live dispute the user's jurisdiction holds, a user who writes disputes and may look people up
 * gets 关联当事人: find the person by ID number or phone (`shared/ui/person-lookup.ts`), choose,
 * link. The link is stored once per person (200 `duplicate`); a key person makes the dispute
 * high-risk at once (`raised_risk`). A refusal about the person is shown at `person_id`; one
 * that says the dispute moved on goes to `onStale`, as for a step.
 */

import { formatDayTime } from "../shared/dates";
import { el, replaceChildren } from "../shared/dom";
import { ApiError } from "../shared/http";
import { labelOf, t } from "../shared/i18n";
import { personLine, personName } from "../shared/person-text";
import type { DisputeDetail, DisputePartyRecorded, DisputePartyView, PersonView } from "../shared/types";
import { errorLine, FieldErrors, setBusy } from "../shared/ui/form-kit";
import { mountPersonLookup } from "../shared/ui/person-lookup";
import { linkParty } from "./disputes-api";
import { KEY_REASONS } from "./labels";

export interface DisputeParties {
  root: HTMLElement;
  /** Draws the shown dispute's parties; `canLink`: the link button (an open form stays as typed). */
  draw(detail: DisputeDetail, canLink: boolean): void;
  /** Closes the form (another dispute opened). */
  close(): void;
}

export interface DisputePartiesOptions {
  /** The link form opens (the panel closes a step's form: one form at a time). */
  onOpen(): void;
  onLinked(result: DisputePartyRecorded): void;
  /** The dispute moved on elsewhere (closed, held by another centre, out of sight): fetch it again. */
  onStale(err: unknown): void;
}

/** Codes that say the dispute is not what the form was opened on any more (a 404 at `person_id` is about the person). */
function isStale(err: unknown): boolean {
  return err instanceof ApiError && (err.code === "held_elsewhere" || err.code === "dispute_closed" || (err.status === 404 && err.field !== "person_id"));
}

/** "重点人员：社区矫正、…", or null for a party who is no key person. */
function keyBadge(p: DisputePartyView): HTMLElement | null {
  if (p.key_reasons.length === 0) {
    return null;
  }
  const reasons = p.key_reasons.map((r) => labelOf(KEY_REASONS, r)).join(t("disputes.parties.reasonSep"));
  return el("span", { className: "party-key", text: t("disputes.parties.key", { reasons }), dataset: { reasons: p.key_reasons.join(" ") } });
}

function partyRow(p: DisputePartyView): HTMLElement {
  return el("li", { className: "party-row", dataset: { personId: p.person_id, key: String(p.key_reasons.length > 0) } }, [
    el("div", { className: "party-row__top" }, [el("strong", { className: "party-row__name", text: personName(p) }), keyBadge(p)]),
    el("p", { className: "party-row__by record__muted", text: t("disputes.parties.by", { name: p.by_name, time: formatDayTime(p.at) }) }),
  ]);
}

/** Appends the parties block to `parent`, empty until `draw`. */
export function mountDisputeParties(parent: HTMLElement, options: DisputePartiesOptions): DisputeParties {
  let shown: DisputeDetail | null = null;

  const list = el("ul", { className: "dispute-parties__list" });
  const none = el("p", { className: "record__muted", i18n: "disputes.parties.none" });
  const open = el("button", { className: "btn btn--small dispute-parties__open", i18n: "disputes.parties.link", attrs: { type: "button", "aria-expanded": "false" } });
  const formHost = el("div", { className: "dispute__form dispute-parties__form" });
  const root = el("section", { className: "dispute-parties", attrs: { "aria-labelledby": "disputes-parties-title" } }, [
    el("div", { className: "dispute-parties__head" }, [el("h3", { className: "section-title", i18n: "disputes.parties.title", attrs: { id: "disputes-parties-title" } }), open]),
    list,
    none,
    formHost,
  ]);
  parent.append(root);

  const close = (): void => {
    formHost.replaceChildren();
    open.setAttribute("aria-expanded", "false");
  };

  const openForm = (): void => {
    const detail = shown;
    if (detail === null) {
      return;
    }
    close();
    options.onOpen();
    open.setAttribute("aria-expanded", "true");
    const form = mountLinkForm(formHost, detail.dispute.id, {
      onCancel: close,
      onLinked: (result) => {
        close();
        options.onLinked(result);
      },
      onStale: (err) => {
        close();
        options.onStale(err);
      },
    });
    form.scrollIntoView({ block: "nearest" });
    form.querySelector<HTMLElement>("input")?.focus();
  };
  open.addEventListener("click", openForm);

  const draw = (detail: DisputeDetail, canLink: boolean): void => {
    shown = detail;
    root.dataset.count = String(detail.parties_linked.length);
    replaceChildren(list, detail.parties_linked.map(partyRow));
    list.hidden = detail.parties_linked.length === 0;
    none.hidden = detail.parties_linked.length > 0;
    open.hidden = !canLink;
    if (!canLink) {
      close(); // it moved on (held elsewhere now, or closed)
    }
  };

  return { root, draw, close };
}

interface LinkFormOptions {
  onLinked(result: DisputePartyRecorded): void;
  onStale(err: unknown): void;
  onCancel(): void;
}

/** The lookup, then the chosen person and 关联: appended to `parent`, returned. */
function mountLinkForm(parent: HTMLElement, disputeId: string, options: LinkFormOptions): HTMLElement {
  let chosen: PersonView | null = null;
  let busy = false;

  const lookupHost = el("div", { className: "party-form__lookup" });
  const person = el("p", { className: "party-form__person", i18n: "disputes.parties.pick", attrs: { id: "disputes-party-person" } });
  const personError = errorLine("disputes-party-person");
  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const submit = el("button", { className: "btn btn--primary ledger-form__submit", i18n: "disputes.parties.submit", attrs: { type: "submit", disabled: "" } });
  errors.add("person_id", personError, submit);
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  // The lookup is a form of its own (its Enter finds; this one's button links): beside, not inside.
  const form = el("form", { className: "party-form__link", attrs: { novalidate: "" } }, [person, personError, general, el("div", { className: "ledger-form__actions" }, [cancel, submit])]);
  const root = el("div", { className: "ledger-form party-form", attrs: { role: "group", "aria-labelledby": "disputes-party-title" }, dataset: { disputeId } }, [
    el("h3", { className: "section-title", i18n: "disputes.parties.formTitle", attrs: { id: "disputes-party-title" } }),
    el("p", { className: "field__hint", i18n: "disputes.parties.hint" }),
    lookupHost,
    form,
  ]);
  parent.append(root);
  mountPersonLookup(lookupHost, {
    id: "disputes-party-value",
    onFound: (p) => {
      chosen = p;
      errors.clear();
      person.removeAttribute("data-i18n");
      person.textContent = t("disputes.parties.chosen", { person: personLine(p) });
      root.dataset.personId = p.id;
      submit.disabled = false;
      submit.focus();
    },
  });

  const send = async (): Promise<void> => {
    if (busy || chosen === null) {
      return;
    }
    errors.clear();
    busy = true;
    setBusy(form, submit, true);
    try {
      options.onLinked(await linkParty(disputeId, { person_id: chosen.id }));
    } catch (err) {
      if (isStale(err)) {
        options.onStale(err);
      } else {
        errors.showRefusal(err);
      }
    } finally {
      busy = false;
      setBusy(form, submit, false);
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
  return root;
}

/** The toast after a link: duplicate, or who was linked, and plainly when it made the dispute high-risk. */
export function linkedText(r: DisputePartyRecorded): string {
  if (r.duplicate) {
    return t("disputes.parties.duplicate", { person: personName(r.party) });
  }
  const who = personName(r.party);
  const reasons = r.party.key_reasons.map((k) => labelOf(KEY_REASONS, k)).join(t("disputes.parties.reasonSep"));
  const parts = [reasons === "" ? t("disputes.parties.linked", { person: who }) : t("disputes.parties.linkedKey", { person: who, reasons })];
  if (r.raised_risk) {
    parts.push(t("disputes.parties.raisedRisk"));
  }
  return parts.join(t("disputes.recorded.sep"));
}
