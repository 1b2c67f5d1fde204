/**
 * What the console needs to know of a playbook's definition: step titles, the roles a step
 * alerts (for recommendations), checklist item texts. Definitions are fetched once per
 * playbook id and version and kept for the page's life (they are versioned, so never stale).
 */

import { getPlaybook } from "../shared/incidents-api";
import { localText, STEP_TYPE_LABELS, WAIT_LABELS } from "./labels";
import { t } from "../shared/i18n";

interface StepDef {
  id: string;
  type: string;
  /** What a `wait` step waits for: `acceptances`, `arrivals` or `checklist_item`. */
  until: string;
  title: unknown;
  roles: string[];
  items: { id: string; text: unknown }[];
}

/** A loaded playbook definition, read through small questions. */
export class PlaybookInfo {
  readonly id: string;
  readonly title: unknown;
  readonly steps: readonly StepDef[];

  constructor(raw: Record<string, unknown>) {
    this.id = typeof raw.id === "string" ? raw.id : "";
    this.title = raw.title;
    const steps = Array.isArray(raw.steps) ? (raw.steps as Record<string, unknown>[]) : [];
    this.steps = steps.map((s) => ({
      id: String(s.id ?? ""),
      type: String(s.type ?? ""),
      until: String(s.until ?? ""),
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
    const own = localText(step.title);
    if (own !== null) {
      return own;
    }
    // As the server names it (playbooks/titles.py): a wait by what it waits for.
    const typeKey = (step.type === "wait" ? WAIT_LABELS[step.until] : undefined) ?? STEP_TYPE_LABELS[step.type];
    return typeKey === undefined ? step.type : t(typeKey);
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
