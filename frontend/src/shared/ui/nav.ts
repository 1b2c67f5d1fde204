/** Links to the views the server lists in `me.menus` — no more, no fewer. */

import { el } from "../dom";
import { tk, type MessageKey } from "../i18n";
import type { MenuId } from "../types";

interface MenuEntry {
  label: MessageKey;
  /** Null for menus whose view is not built yet (shown, but not clickable). */
  href: string | null;
}

export const MENUS: Record<MenuId, MenuEntry> = {
  wall: { label: tk("menu.wall"), href: "/wall/" },
  console: { label: tk("menu.console"), href: "/console/" },
  leader: { label: tk("menu.leader"), href: "/leader/" },
  responder: { label: tk("menu.responder"), href: "/responder/" },
  casework: { label: tk("menu.casework"), href: "/casework/" },
  psych: { label: tk("menu.psych"), href: "/psych/" },
  ledgers: { label: tk("menu.ledgers"), href: "/ledgers/" },
  rentals: { label: tk("menu.rentals"), href: "/rentals/" },
  disputes: { label: tk("menu.disputes"), href: "/disputes/" },
  audit: { label: tk("menu.audit"), href: null },
  admin: { label: tk("menu.admin"), href: null },
};

const ORDER: readonly MenuId[] = ["wall", "console", "leader", "responder", "casework", "psych", "ledgers", "rentals", "disputes", "audit", "admin"];

/** Link elements for `menus` in a stable order; `current` is marked with aria-current. */
export function menuLinks(menus: readonly MenuId[], current: MenuId | null, className: string): HTMLElement[] {
  return ORDER.filter((id) => menus.includes(id)).map((id) => {
    const entry = MENUS[id];
    if (entry.href === null) {
      return el("span", {
        className: `${className} is-disabled`,
        i18n: entry.label,
        attrs: { "aria-disabled": "true", "data-i18n-title": "menu.notYetAvailable" },
      });
    }
    const link = el("a", { className, i18n: entry.label, attrs: { href: entry.href } });
    if (id === current) {
      link.setAttribute("aria-current", "page");
    }
    return link;
  });
}

// Where a user starts: the order of the menus, except that a case worker (who may also look at
// the wall) starts at their worklist.
const LANDING: readonly MenuId[] = ["casework", ...ORDER.filter((id) => id !== "casework")];

/** Where to send a user after sign-in when no return path was given. */
export function homeFor(menus: readonly MenuId[]): string {
  const first = LANDING.find((id) => menus.includes(id) && MENUS[id].href !== null);
  return first === undefined ? "/" : (MENUS[first].href ?? "/");
}
