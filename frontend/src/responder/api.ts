/**
 * The responder app's HTTP calls. Commands normally go over the socket (`outbox.ts`); these
 * routes are the fallback when it is down, and carry the same `client_msg_id`.
 */

import { sendAuthorized } from "../shared/auth";
import type { AssignmentBrief, PatientRecord, QueuedCommand, ResponderRecord } from "./model";

/** This responder's record (duty status); 404 when the account is not a responder. */
export function getMyRecord(): Promise<ResponderRecord> {
  return sendAuthorized<ResponderRecord>({ method: "GET", path: "/api/responders/me" });
}

export function setDuty(onDuty: boolean): Promise<ResponderRecord> {
  return sendAuthorized<ResponderRecord>({
    method: "PUT",
    path: "/api/responders/me/duty",
    body: { status: onDuty ? "available" : "off_duty" },
  });
}

export function getBrief(assignmentId: string): Promise<AssignmentBrief> {
  return sendAuthorized<AssignmentBrief>({ method: "GET", path: `/api/assignments/${encodeURIComponent(assignmentId)}/brief` });
}

/** The need-to-know record; the server checks the grant and audits the read. */
export function getPatient(patientId: string): Promise<PatientRecord> {
  return sendAuthorized<PatientRecord>({ method: "GET", path: `/api/patients/${encodeURIComponent(patientId)}` });
}

/** Sends one queued command over HTTP (the socket is down). */
export async function sendCommandHttp(c: QueuedCommand): Promise<void> {
  const base = `/api/assignments/${encodeURIComponent(c.assignment_id)}`;
  const id = { client_msg_id: c.client_msg_id };
  switch (c.action) {
    case "accept":
      await sendAuthorized<unknown>({ method: "POST", path: `${base}/accept`, body: id });
      return;
    case "decline":
      await sendAuthorized<unknown>({ method: "POST", path: `${base}/decline`, body: { ...id, reason: c.reason ?? null } });
      return;
    case "tick":
      await sendAuthorized<unknown>({ method: "POST", path: `${base}/checklist`, body: { ...id, item: c.item ?? "" } });
      return;
    case "note":
      await sendAuthorized<unknown>({ method: "POST", path: `${base}/notes`, body: { ...id, text: c.text ?? "" } });
      return;
    default:
      await sendAuthorized<unknown>({ method: "POST", path: `${base}/status`, body: { ...id, status: c.action } });
  }
}

export function getVapidKey(): Promise<{ public_key: string }> {
  return sendAuthorized<{ public_key: string }>({ method: "GET", path: "/api/push/vapid-public-key" });
}

export function postPushSubscription(subscription: PushSubscriptionJSON): Promise<void> {
  return sendAuthorized<void>({ method: "POST", path: "/api/push/subscriptions", body: subscription });
}
