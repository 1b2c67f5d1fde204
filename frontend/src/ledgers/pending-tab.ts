/**
 * 待建档: the people the block data lists in the chosen group whom nobody has registered yet,
 * oldest first, each with "建档" opening the register form under its row (one form at a time; a
 * new opening is a new entry). The list needs a group: with every group chosen, it offers the
 * groups to pick. Fifty rows at a time, "load more" under them (`shared/ui/load-more.ts`); a
 * refetch starts again. Rows carry `data-person-id`.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { onLocaleChange, t } from "../shared/i18n";
import { GROUP_NAMES } from "../shared/ledger-terms";
import type { LedgerEntryRecorded, LedgerGroup, LedgerPendingPage, LedgerPendingPerson } from "../shared/types";
import { mountLoadMore } from "../shared/ui/load-more";
import type { Tab } from "../shared/ui/tabs";
import { bornText, personName } from "./entry-text";
import { getPending } from "./ledgers-api";
import { mountRegisterForm } from "./register-form";

export interface PendingTabOptions {
  group(): LedgerGroup | null;
  /** The groups the user keeps (offered when none is chosen). */
  groups: readonly LedgerGroup[];
  /** Chooses a group (the page's chooser). */
  choose(group: LedgerGroup): void;
  me: { id: string; display_name: string };
  onRegistered(result: LedgerEntryRecorded): void;
}

/** Mounts the 待建档 tab in `parent`; it fetches on `load()` (each time it is shown). */
export function mountPendingTab(parent: HTMLElement, options: PendingTabOptions): Tab {
  let page: LedgerPendingPage | null = null;
  let pageGroup: LedgerGroup | null = null;
  let problem: unknown = null;
  let asking: LedgerGroup | null = null; // the group of the list being fetched or paged
  // the open register form and whose it is: kept across redraws, so what was typed and the
  // entry id it carries survive a refetch or a change of language
  let opened: { personId: string; form: HTMLElement } | null = null;

  const count = el("span", { className: "pending__count" });
  const body = el("div", { className: "pending__body" });
  const root = el("section", { className: "panel pending", attrs: { "aria-labelledby": "ledgers-pending-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "ledgers.pending.title", attrs: { id: "ledgers-pending-title" } }), count]),
    el("p", { className: "pending__hint", i18n: "ledgers.pending.hint" }),
    body,
  ]);
  parent.append(root);

  const render = (): void => {
    const group = options.group();
    root.dataset.group = group ?? "";
    if (group === null) {
      count.textContent = "";
      delete root.dataset.count;
      replaceChildren(body, [
        el("p", { className: "pending__choose", i18n: "ledgers.pending.chooseGroup" }),
        el(
          "div",
          { className: "seg pending__groups" },
          options.groups.map((g) => {
            const b = el("button", { className: "seg__btn", text: t(GROUP_NAMES[g]), attrs: { type: "button" }, dataset: { group: g } });
            b.addEventListener("click", () => options.choose(g));
            return b;
          }),
        ),
      ]);
      return;
    }
    const failed = problem === null ? null : el("div", { className: "ledgers-problem" });
    if (failed !== null) {
      const message = el("p", { className: "field__error" });
      showErrorText(message, describeError(problem), problem);
      const retry = el("button", { className: "btn btn--small", i18n: "action.retry", attrs: { type: "button" } });
      retry.addEventListener("click", () => void load());
      failed.append(message, retry);
    }
    if (page === null || pageGroup !== group) {
      count.textContent = "";
      delete root.dataset.count;
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    count.textContent = t("ledgers.pending.count", { n: page.total });
    count.classList.toggle("is-zero", page.total === 0);
    root.dataset.count = String(page.items.length);
    root.dataset.total = String(page.total);
    const content =
      page.items.length === 0
        ? el("p", { className: "empty", text: t("ledgers.pending.none", { group: t(GROUP_NAMES[group]) }) })
        : el("ol", { className: "pending__list" }, page.items.map((p) => row(p, group)));
    replaceChildren(body, [failed, content, pager.root]);
  };

  /** Closes the open form, in whichever row it is drawn now. */
  const closeOpen = (): void => {
    const form = opened?.form;
    opened = null;
    const li = form?.closest<HTMLElement>(".pending-row");
    form?.remove();
    li?.classList.remove("is-open");
    li?.querySelector(".pending-row__register")?.setAttribute("aria-expanded", "false");
  };

  const row = (p: LedgerPendingPerson, group: LedgerGroup): HTMLElement => {
    const isOpen = opened?.personId === p.person_id;
    const register = el("button", { className: "btn btn--primary btn--small pending-row__register", i18n: "ledgers.pending.register", attrs: { type: "button", "aria-expanded": String(isOpen) } });
    const formHost = el("div", { className: "pending-row__form" });
    const li = el("li", { className: `pending-row${isOpen ? " is-open" : ""}`, dataset: { personId: p.person_id } }, [
      el("div", { className: "pending-row__main" }, [
        el("div", { className: "pending-row__who" }, [
          el("strong", { className: "pending-row__name", text: personName(p) }),
          el("span", { className: "pending-row__facts", text: [bornText(p.birth_year), p.address].filter((x): x is string => x !== null && x !== "").join(" · ") }),
        ]),
        register,
      ]),
      formHost,
    ]);
    const openForm = (): void => {
      closeOpen(); // one form at a time; a new opening is a new entry: a new id
      li.classList.add("is-open");
      register.setAttribute("aria-expanded", "true");
      const form = mountRegisterForm(formHost, {
        personId: p.person_id,
        personLabel: personName(p),
        group,
        me: options.me,
        onCancel: closeOpen,
        onRegistered: (result) => {
          closeOpen();
          options.onRegistered(result);
          void load();
        },
      });
      opened = { personId: p.person_id, form };
      form.scrollIntoView({ block: "nearest" });
      form.querySelector<HTMLElement>("input, select, textarea")?.focus();
    };
    register.addEventListener("click", openForm);
    if (opened !== null && isOpen) {
      formHost.append(opened.form); // drawn again: the same form, as typed
    }
    return li;
  };

  const pager = mountLoadMore<LedgerPendingPage, LedgerPendingPerson>({
    fetch: (offset, limit) => (asking === null ? Promise.resolve({ items: [], total: 0 }) : getPending(asking, offset, limit)),
    key: (p) => p.person_id,
    total: (p) => p.total,
    show(next) {
      page = next;
      pageGroup = asking;
      problem = null;
      const open = opened;
      if (open !== null && !next.items.some((p) => p.person_id === open.personId)) {
        opened = null; // registered meanwhile (here or elsewhere), or on a page not fetched again
      }
      render();
    },
    fail(err) {
      problem = err;
      render();
    },
  });

  async function load(): Promise<void> {
    const group = options.group();
    asking = group;
    if (group === null) {
      pager.reset();
      render();
      return;
    }
    if (pageGroup !== group) {
      opened = null; // another group's list: its form goes
    }
    await pager.reload();
  }

  render();
  onLocaleChange(render);
  return { root, load };
}
