/**
 * The offline queue: every status, tick, note and answer the responder taps, kept in order
 * (localStorage, per user) with its `client_msg_id`, and sent one at a time, oldest first.
 *
 * Each message waits for its answer before the next goes, so the server sees them in the order
 * they were tapped. A message whose answer was lost is sent again; the server applies each
 * `client_msg_id` once (it is kept in the incident's log), so a resend changes nothing. A message
 * the server refuses (the offer closed, the incident ended) is dropped and reported; one that
 * cannot reach the server stays first in line until the link returns.
 */

import type { Refusal } from "../shared/error-text";
import type { CommandAction, QueuedCommand } from "./model";

/** How one attempt went: delivered, refused for good (with why), or not reachable now. */
export type SendOutcome = { kind: "ok" } | { kind: "refused"; refusal: Refusal } | { kind: "unreachable" };

export type Transport = (command: QueuedCommand) => Promise<SendOutcome>;

export interface OutboxEvents {
  /** The queue changed (length or content). */
  changed(pending: readonly QueuedCommand[]): void;
  delivered(command: QueuedCommand): void;
  refused(command: QueuedCommand, refusal: Refusal): void;
}

export interface CommandInput {
  assignment_id: string;
  action: CommandAction;
  reason?: string;
  item?: string;
  text?: string;
}

export function newMessageId(): string {
  return crypto.randomUUID();
}

export class Outbox {
  private items: QueuedCommand[];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly storageKey: string,
    private readonly transport: Transport,
    private readonly events: OutboxEvents,
    private readonly storage: Storage = localStorage,
  ) {
    this.items = this.load();
  }

  /** What is still waiting, oldest first. */
  pending(): readonly QueuedCommand[] {
    return this.items;
  }

  /** Queues a message (stored before anything is sent) and starts sending. */
  enqueue(input: CommandInput): QueuedCommand {
    const command: QueuedCommand = { ...input, client_msg_id: newMessageId(), made_at: Date.now() };
    this.items = [...this.items, command];
    this.save();
    void this.flush();
    return command;
  }

  /** Sends what is waiting, in order, until the queue is empty or the server is unreachable. */
  flush(): Promise<void> {
    this.flushing ??= this.run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async run(): Promise<void> {
    for (;;) {
      const head = this.items[0];
      if (head === undefined) {
        return;
      }
      let outcome: SendOutcome;
      try {
        outcome = await this.transport(head);
      } catch {
        outcome = { kind: "unreachable" };
      }
      if (outcome.kind === "unreachable") {
        return; // stays first in line; the next flush (link back, timer) tries again
      }
      this.items = this.items.filter((c) => c.client_msg_id !== head.client_msg_id);
      this.save();
      if (outcome.kind === "ok") {
        this.events.delivered(head);
      } else {
        this.events.refused(head, outcome.refusal);
      }
    }
  }

  private load(): QueuedCommand[] {
    try {
      const raw = this.storage.getItem(this.storageKey);
      const parsed: unknown = raw === null ? [] : JSON.parse(raw);
      return Array.isArray(parsed) ? (parsed as QueuedCommand[]).filter((c) => typeof c.client_msg_id === "string") : [];
    } catch {
      return [];
    }
  }

  private save(): void {
    if (this.items.length === 0) {
      this.storage.removeItem(this.storageKey);
    } else {
      this.storage.setItem(this.storageKey, JSON.stringify(this.items));
    }
    this.events.changed(this.items);
  }
}
