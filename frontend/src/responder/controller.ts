/**
 * The responder app's behaviour: the realtime link (`me` topic for offers and endings, the
 * incident topic while working), duty and position sharing, the offline queue of commands, the
 * need-to-know data's life, and Web Push. Views call the `act*` methods; the state is in
 * `responder-state.ts`.
 */

import { onConnectionChange } from "../shared/connection";
import { describeError, describeRefusal, type Refusal } from "../shared/error-text";
import { ApiError } from "../shared/http";
import { t, tk } from "../shared/i18n";
import { RealtimeClient } from "../shared/realtime";
import type { Session } from "../shared/session";
import type { WarningRule, WsAck, WsError, WsEvent, WsSnapshot } from "../shared/types";
import { startAlarm, stopAlarm, unlock } from "./alarm";
import { getBrief, getMyRecord, getPatient, sendCommandHttp, setDuty } from "./api";
import {
  type AssignmentBrief,
  type AssignmentState,
  type CommandAction,
  type DutyStatus,
  type Offer,
  offerFromBrief,
  offerFromEvent,
  type QueuedCommand,
  WORKING_STATES,
} from "./model";
import * as ntk from "./need-to-know";
import { Outbox, type SendOutcome } from "./outbox";
import { PositionSharer } from "./position";
import { subscribeToPush } from "./push";
import { getResponderState as current, update, updateWork, type Work } from "./responder-state";

/** The note a care-team member's phone shows for a warning about their patient. */
const RESPONDER_RULE_TEXT = {
  follow_up_overdue: tk("responder.warning.followUpOverdue"),
  repeat_calls: tk("responder.warning.repeatCalls"),
  psych_crisis: tk("responder.warning.psychCrisis"),
  ledger_check_overdue: tk("responder.warning.ledgerCheckOverdue"),
  rental_inspection_overdue: tk("responder.warning.rentalInspectionOverdue"),
  rental_hazard_overdue: tk("responder.warning.rentalHazardOverdue"),
  dispute_high_risk: tk("responder.warning.disputeHighRisk"),
  dispute_overdue: tk("responder.warning.disputeOverdue"),
} as const satisfies Record<WarningRule, string>;

/** How long a command waits for its `ack` on the socket before it is tried over HTTP. */
const ACK_TIMEOUT_MS = 8_000;
const RETRY_MS = 5_000;
const STATUS_ACTIONS: Partial<Record<CommandAction, AssignmentState>> = {
  en_route: "en_route",
  on_scene: "on_scene",
  clear: "cleared",
};

export class ResponderController {
  private readonly client = new RealtimeClient();
  private readonly outbox: Outbox;
  private readonly sharer: PositionSharer;
  private readonly waiting = new Map<string, (reply: WsAck | WsError | null) => void>();
  private incidentTopic: (() => void) | null = null;
  private refreshTimer: number | undefined;
  /** Assignments that ended on this phone: a brief still on its way for one must not bring it back. */
  private readonly finished = new Set<string>();

  constructor(session: Session) {
    this.outbox = new Outbox(`pingan.responder.outbox.${session.me.id}`, (c) => this.transport(c), {
      changed: (pending) => update({ queued: [...pending] }),
      delivered: (c) => this.onDelivered(c),
      refused: (c, refusal) => this.onRefused(c, refusal),
    });
    this.sharer = new PositionSharer({ send: (m) => this.client.sendNow(m) }, (sharing) => update({ sharing }));
    this.client.onReply((reply) => {
      const id = reply.client_msg_id ?? null;
      if (id !== null) {
        this.waiting.get(id)?.(reply);
      }
    });
  }

  /** Now on the server's clock (ms), for offer countdowns. */
  serverNow(): number {
    return this.client.serverNow();
  }

  start(): void {
    update({ queued: [...this.outbox.pending()] });
    const kept = ntk.recall();
    if (kept !== null) {
      this.showWork(kept.brief, kept.patient); // a reload in the field: shown at once, checked below
    }
    this.client.subscribe("me", {
      snapshot: (s) => void this.onMeSnapshot(s),
      event: (e) => this.onMeEvent(e),
    });
    this.client.start();
    onConnectionChange((status) => {
      if (status.state === "live") {
        this.sharer.flush();
        void this.outbox.flush();
      }
    });
    window.addEventListener("online", () => void this.outbox.flush());
    window.setInterval(() => {
      if (this.outbox.pending().length > 0) {
        void this.outbox.flush();
      }
      this.dropExpiredOffers();
    }, RETRY_MS);
    document.addEventListener("pointerdown", unlock, { once: true });
    void this.loadDuty();
    void subscribeToPush().then((push) => update({ push }));
    void this.openOfferFromUrl();
  }

  // --- duty and position --------------------------------------------------------------------

  private async loadDuty(): Promise<void> {
    try {
      const record = await getMyRecord();
      this.applyDuty(record.duty_status);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        update({ notResponder: true });
      } else {
        this.fail(err);
      }
    }
  }

  private applyDuty(duty: DutyStatus): void {
    update({ duty });
    if (duty === "off_duty") {
      this.sharer.stop();
    } else {
      this.sharer.start();
    }
  }

  async actSetDuty(onDuty: boolean): Promise<void> {
    unlock();
    update({ dutyBusy: true, notice: null });
    try {
      const record = await setDuty(onDuty);
      this.applyDuty(record.duty_status);
    } catch (err) {
      this.fail(err);
    } finally {
      update({ dutyBusy: false });
    }
  }

  // --- offers ---------------------------------------------------------------------------------

  private async onMeSnapshot(snapshot: WsSnapshot): Promise<void> {
    const rows = Array.isArray(snapshot.data.assignments) ? (snapshot.data.assignments as { assignment_id: string; state: string }[]) : [];
    const working = rows.find((r) => (WORKING_STATES as readonly string[]).includes(r.state));
    const work = current().work;
    if (working === undefined && work !== null && !this.queuedAccept(work.assignment_id)) {
      this.endWork(t("responder.ended.byServer"));
    }
    if (working !== undefined) {
      await this.loadWork(working.assignment_id);
    }
    for (const row of rows.filter((r) => r.state === "offered")) {
      if (current().offers.some((o) => o.assignment_id === row.assignment_id) || this.queuedAccept(row.assignment_id)) {
        continue;
      }
      try {
        this.addOffer(offerFromBrief(await getBrief(row.assignment_id)));
      } catch (err) {
        this.fail(err);
      }
    }
  }

  private onMeEvent(event: WsEvent): void {
    const assignmentId = typeof event.data.assignment_id === "string" ? event.data.assignment_id : null;
    // Kinds on `me`: assignment.offered / .withdrawn / .ended (leader.notified is for leaders);
    // warning.* and follow_up.recorded for members of a patient's care team.
    const [family, what] = event.kind.split(".", 2);
    if (family === "warning" && (what === "raised" || what === "escalated" || what === "reopened")) {
      // A note, not an alarm: nobody is in danger this minute; the case worker leads.
      const rule = event.data.rule;
      const key = typeof rule === "string" && rule in RESPONDER_RULE_TEXT ? RESPONDER_RULE_TEXT[rule as WarningRule] : null;
      if (key !== null) {
        update({ notice: { kind: "info", text: t(key) } });
      }
      return;
    }
    if (family !== "assignment") {
      return;
    }
    if (what === "offered") {
      const offer = offerFromEvent(event.data);
      if (offer !== null) {
        this.addOffer(offer);
      }
    } else if (what === "withdrawn" || what === "ended") {
      this.removeOffer(assignmentId);
      if (what === "ended" && current().work?.assignment_id === assignmentId) {
        this.endWork(t("responder.ended.reason", { reason: String(event.data.reason ?? "") }));
      }
    }
  }

  private addOffer(offer: Offer): void {
    if (current().offers.some((o) => o.assignment_id === offer.assignment_id)) {
      return;
    }
    update({ offers: [...current().offers, offer] });
    startAlarm();
  }

  private removeOffer(assignmentId: string | null): void {
    const offers = current().offers.filter((o) => o.assignment_id !== assignmentId);
    update({ offers });
    if (offers.length === 0) {
      stopAlarm();
    }
  }

  private dropExpiredOffers(): void {
    const now = this.client.serverNow() / 1000;
    for (const offer of current().offers) {
      if (offer.expires_at !== null && offer.expires_at + 2 < now) {
        this.removeOffer(offer.assignment_id);
        update({ notice: { kind: "info", text: t("responder.offer.expired") } });
      }
    }
  }

  /** A notification tap opens `/responder/?offer=<assignment id>`: show that offer if still open. */
  private async openOfferFromUrl(): Promise<void> {
    const url = new URL(window.location.href);
    const id = url.searchParams.get("offer");
    if (id === null) {
      return;
    }
    url.searchParams.delete("offer");
    window.history.replaceState(null, "", url.pathname + url.search);
    try {
      const brief = await getBrief(id);
      if (brief.assignment.state === "offered") {
        this.addOffer(offerFromBrief(brief));
      } else if ((WORKING_STATES as readonly string[]).includes(brief.assignment.state)) {
        await this.loadWork(id);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  actAccept(offer: Offer): void {
    this.removeOffer(offer.assignment_id);
    this.outbox.enqueue({ assignment_id: offer.assignment_id, action: "accept" });
    if (current().work === null) {
      update({
        work: {
          assignment_id: offer.assignment_id,
          incident_id: offer.incident_id,
          role: offer.role,
          kind: offer.kind,
          priority: offer.priority,
          address: offer.address,
          lat: offer.lat,
          lon: offer.lon,
          state: "accepted",
          brief: null,
          patient: null,
          ticked: [],
          notes: [],
        },
      });
      this.watchIncident(offer.incident_id);
    }
  }

  actDecline(offer: Offer, reason: string): void {
    this.removeOffer(offer.assignment_id);
    this.outbox.enqueue({ assignment_id: offer.assignment_id, action: "decline", reason });
  }

  // --- working an assignment -----------------------------------------------------------------

  actStatus(action: "en_route" | "on_scene" | "clear" | "need_backup"): void {
    const work = current().work;
    if (work === null) {
      return;
    }
    this.outbox.enqueue({ assignment_id: work.assignment_id, action });
    const next = STATUS_ACTIONS[action];
    if (action === "clear") {
      // Done here: the need-to-know details leave the phone now, not when the server hears it.
      this.endWork(t("responder.cleared"));
    } else if (next !== undefined) {
      updateWork({ state: next });
    } else {
      update({ notice: { kind: "info", text: t("responder.backupRequested") } });
    }
  }

  actTick(item: string): void {
    const work = current().work;
    if (work === null || work.ticked.includes(item)) {
      return;
    }
    this.outbox.enqueue({ assignment_id: work.assignment_id, action: "tick", item });
    updateWork({ ticked: [...work.ticked, item] });
  }

  actNote(text: string): void {
    const work = current().work;
    const clean = text.trim();
    if (work === null || clean === "") {
      return;
    }
    this.outbox.enqueue({ assignment_id: work.assignment_id, action: "note", text: clean });
    updateWork({ notes: [...work.notes, clean] });
  }

  private async loadWork(assignmentId: string): Promise<void> {
    if (this.queued(assignmentId, "clear") || this.finished.has(assignmentId)) {
      return; // cleared here (the server may not have heard it yet), or already over
    }
    let brief: AssignmentBrief;
    try {
      brief = await getBrief(assignmentId);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.finished.has(assignmentId)) {
      return; // ended while the brief was on its way: showing it would bring the details back
    }
    const ended = !(WORKING_STATES as readonly string[]).includes(brief.assignment.state) || ["closed", "cancelled"].includes(brief.incident.state);
    if (ended) {
      if (current().work?.assignment_id === assignmentId && !this.queuedAccept(assignmentId)) {
        this.endWork(t("responder.ended.byServer"));
      }
      return;
    }
    const work = current().work;
    const shown = work?.assignment_id === assignmentId ? work : null;
    let patient = shown?.patient ?? null;
    if (patient !== null && patient.person.id !== brief.patient_id) {
      patient = null; // identified after intake, or corrected: the old record must not stay shown
    }
    if (brief.patient_id !== null && patient === null) {
      try {
        patient = await getPatient(brief.patient_id);
      } catch (err) {
        this.fail(err);
      }
    }
    if (this.finished.has(assignmentId) || (current().work !== null && current().work?.assignment_id !== assignmentId)) {
      return; // ended meanwhile, or another assignment took its place
    }
    this.showWork(brief, patient);
    if (shown !== null && patient !== null && shown.patient?.person.id !== patient.person.id) {
      update({ notice: { kind: "info", text: t("responder.patientIdentified") } });
    }
    const before = shown?.brief?.incident.playbook_id;
    if (before !== undefined && before !== brief.incident.playbook_id) {
      // the plan changed under way: the responder stays, the checklist may not
      update({ notice: { kind: "info", text: t("responder.playbookChanged") } });
    }
  }

  private showWork(brief: AssignmentBrief, patient: Work["patient"]): void {
    const before = current().work;
    const same = before?.assignment_id === brief.assignment.id;
    const queued = this.outbox.pending().filter((c) => c.assignment_id === brief.assignment.id);
    // While statuses wait in the queue, the phone is ahead of the server: keep its state.
    const lastStatus = [...queued].reverse().find((c) => STATUS_ACTIONS[c.action] !== undefined);
    const state = lastStatus === undefined ? brief.assignment.state : (STATUS_ACTIONS[lastStatus.action] ?? brief.assignment.state);
    const serverTicked = brief.checklist.filter((c) => c.ticked).map((c) => c.item);
    const localTicked = same ? before.ticked : queued.filter((c) => c.action === "tick").map((c) => c.item ?? "");
    update({
      work: {
        assignment_id: brief.assignment.id,
        incident_id: brief.incident.id,
        role: brief.assignment.role,
        kind: brief.incident.kind,
        priority: brief.incident.priority,
        address: brief.incident.address,
        lat: brief.incident.lat,
        lon: brief.incident.lon,
        state,
        brief,
        patient,
        ticked: [...new Set([...serverTicked, ...localTicked])],
        notes: same ? before.notes : [],
      },
    });
    ntk.keep({ assignment_id: brief.assignment.id, brief, patient });
    this.watchIncident(brief.incident.id);
  }

  /** The assignment is over: its details leave the page and the device. */
  private endWork(message: string): void {
    const ending = current().work;
    if (ending !== null) {
      this.finished.add(ending.assignment_id);
    }
    ntk.wipe();
    this.incidentTopic?.();
    this.incidentTopic = null;
    window.clearTimeout(this.refreshTimer);
    update({ work: null, notice: { kind: "info", text: message } });
  }

  private watchIncident(incidentId: string): void {
    this.incidentTopic?.();
    this.incidentTopic = this.client.subscribe(`incident:${incidentId}`, {
      event: (e) => {
        if (e.subject === incidentId) {
          this.scheduleRefresh();
        }
      },
    });
  }

  private scheduleRefresh(): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => {
      const work = current().work;
      if (work !== null) {
        void this.loadWork(work.assignment_id);
      }
    }, 400);
  }

  // --- sending ------------------------------------------------------------------------------

  private queued(assignmentId: string, action: CommandAction): boolean {
    return this.outbox.pending().some((c) => c.assignment_id === assignmentId && c.action === action);
  }

  private queuedAccept(assignmentId: string): boolean {
    return this.queued(assignmentId, "accept");
  }

  /** Over the socket when it is up (answered by `ack`/`error` with the same id), else HTTP. */
  private async transport(c: QueuedCommand): Promise<SendOutcome> {
    if (this.client.isLive()) {
      const reply = new Promise<WsAck | WsError | null>((resolve) => {
        const timer = window.setTimeout(() => resolve(null), ACK_TIMEOUT_MS);
        this.waiting.set(c.client_msg_id, (r) => {
          window.clearTimeout(timer);
          resolve(r);
        });
      });
      const sent = this.client.sendNow({
        type: "assignment",
        assignment_id: c.assignment_id,
        action: c.action,
        client_msg_id: c.client_msg_id,
        ...(c.reason === undefined ? {} : { reason: c.reason }),
        ...(c.item === undefined ? {} : { item: c.item }),
        ...(c.text === undefined ? {} : { text: c.text }),
      });
      const answer = sent ? await reply : null;
      this.waiting.delete(c.client_msg_id);
      if (answer?.type === "ack") {
        return { kind: "ok" };
      }
      if (answer?.type === "error") {
        return { kind: "refused", refusal: { code: answer.code, message: answer.message, field: answer.field ?? null } };
      }
      // No answer in time: try HTTP now; a duplicate is harmless (same client_msg_id).
    }
    try {
      await sendCommandHttp(c);
      return { kind: "ok" };
    } catch (err) {
      if (err instanceof ApiError && !err.isUnavailable) {
        // The field too: "reason: too long" says what to fix, "invalid input" does not.
        return { kind: "refused", refusal: { code: err.code, message: err.message, field: err.field } };
      }
      return { kind: "unreachable" };
    }
  }

  private onDelivered(c: QueuedCommand): void {
    const work = current().work;
    if (c.action === "accept" && (work === null || work.assignment_id === c.assignment_id)) {
      void this.loadWork(c.assignment_id);
    } else if (work !== null && work.assignment_id === c.assignment_id) {
      this.scheduleRefresh();
    }
  }

  private onRefused(c: QueuedCommand, refusal: Refusal): void {
    const reason = describeRefusal(refusal);
    update({ notice: { kind: "error", text: t("responder.refused", { reason }) } });
    const work = current().work;
    if (work === null || work.assignment_id !== c.assignment_id) {
      return;
    }
    if (c.action === "accept") {
      this.endWork(t("responder.refused", { reason }));
    } else {
      if (c.action === "tick") {
        updateWork({ ticked: work.ticked.filter((i) => i !== c.item) });
      }
      this.scheduleRefresh();
    }
  }

  private fail(err: unknown): void {
    if (err instanceof ApiError && (err.status === 0 || err.code === "timeout")) {
      return; // no network: the banner says so, and the next refresh will try again
    }
    const text = err instanceof ApiError ? t("responder.actionFailed", { reason: describeError(err) }) : t("error.generic.title");
    update({ notice: { kind: "error", text } });
  }
}
