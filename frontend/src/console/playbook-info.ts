/**
 * What the console needs to know of a playbook's definition: step titles, the roles a step
 * alerts (for recommendations), checklist item texts. Definitions are fetched once per
 * playbook id and version and kept for the page's life (they are versioned, so never stale).
 */

import { getPlaybook } from "../shared/incidents-api";
import { localText } from "./labels";

interface StepDef {
  id: string;
  type: string;
  title: unknown;
  roles: string[];
  items: { id: string; text: unknown }[];
}

/** A loaded playbook definition, read through small questions. */
export class PlaybookInfo {
  readonly id: string;
  readonly title: unknown;
  readonly steps: readonly StepDef[];
  /** Each step as screens name it, from the server: its title, else what it does. */
  private readonly shownTitles: Record<string, unknown>;

  constructor(raw: Record<string, unknown>) {
    this.id = typeof raw.id === "string" ? raw.id : "";
    this.title = raw.title;
    this.shownTitles = typeof raw.shown_titles === "object" && raw.shown_titles !== null ? (raw.shown_titles as Record<string, unknown>) : {};
    const steps = Array.isArray(raw.steps) ? (raw.steps as Record<string, unknown>[]) : [];
    this.steps = steps.map((s) => ({
      id: String(s.id ?? ""),
      type: String(s.type ?? ""),
      title: s.title,
      roles: Array.isArray(s.roles) ? (s.roles as { role?: unknown }[]).map((r) => String(r.role ?? "")).filter((r) => r !== "") : [],
      items: Array.isArray(s.items) ? (s.items as { id?: unknown; text?: unknown }[]).map((i) => ({ id: String(i.id ?? ""), text: i.text })) : [],
    }));
  }

  step(id: string): StepDef | undefined {
    return this.steps.find((s) => s.id === id);
  }

  /** The step's title, else its type's name; null for an unknown step. */
  stepTitle(id: string): string | null {
    const step = this.step(id);
    if (step === undefined) {
      return null;
    }
    // The server names a step without a title of its own (playbooks/titles.py).
    return localText(step.title) ?? localText(this.shownTitles[id]) ?? step.type;
  }

  /** Roles the step alerts or waits for; every alerting role of the playbook when it has none. */
  rolesFor(stepId: string | null): string[] {
    const own = stepId === null ? [] : (this.step(stepId)?.roles ?? []);
    if (own.length > 0) {
      return own;
    }
    return [...new Set(this.steps.filter((s) => s.type === "alert").flatMap((s) => s.roles))];
  }

  /** The text of a checklist item `<step>.<item>`. */
  itemText(ref: string): string | null {
    const [stepId, itemId] = ref.split(".", 2);
    const item = this.step(stepId ?? "")?.items.find((i) => i.id === itemId);
    return item === undefined ? null : localText(item.text);
  }
}

const cache = new Map<string, Promise<PlaybookInfo>>();

/** The definition of `playbookId` (fetched once; a failed fetch is retried next time). */
export function loadPlaybookInfo(playbookId: string): Promise<PlaybookInfo> {
  let pending = cache.get(playbookId);
  if (pending === undefined) {
    pending = getPlaybook(playbookId).then((raw) => new PlaybookInfo(raw));
    pending.catch(() => cache.delete(playbookId));
    cache.set(playbookId, pending);
  }
  return pending;
}
