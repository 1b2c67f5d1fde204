/**
 * The index page. Signed in: one card per menu the server lists for this user. Signed out (or
 * the server is down): a sign-in card and a line saying why nothing else is shown.
 */

import { getMe } from "../shared/api";
import { hasSession, loginUrl, logout } from "../shared/auth";
import { el, replaceChildren } from "../shared/dom";
import { describeError } from "../shared/error-text";
import { initLocale, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import type { Me, MenuId } from "../shared/types";
import { mountLanguageSwitch } from "../shared/ui/language-switch";
import { MENUS } from "../shared/ui/nav";

const DESCRIPTIONS: Record<MenuId, MessageKey> = {
  wall: tk("home.wall"),
  console: tk("home.console"),
  leader: tk("home.leader"),
  responder: tk("home.responder"),
  casework: tk("home.casework"),
  psych: tk("home.psych"),
  ledgers: tk("home.ledgers"),
  rentals: tk("home.rentals"),
  disputes: tk("home.disputes"),
  audit: tk("home.audit"),
  admin: tk("home.admin"),
};

const ORDER: readonly MenuId[] = ["wall", "console", "leader", "responder", "casework", "psych", "ledgers", "rentals", "disputes", "audit", "admin"];

export function renderHome(root: HTMLElement): void {
  initLocale();
  const status = el("div", { className: "home__status" });
  const note = el("p", { className: "home__note" });
  const cards = el("nav", { className: "home__cards" });
  root.append(
    el("div", { className: "home" }, [
      el("header", { className: "home__header" }, [
        el("img", { className: "home__logo", attrs: { src: "/icons/icon.svg", alt: "" } }),
        el("div", {}, [
          el("h1", { className: "home__title", i18n: "app.fullName" }),
          el("p", { className: "home__subtitle", i18n: "home.subtitle" }),
        ]),
        status,
      ]),
      note,
      cards,
    ]),
  );
  mountLanguageSwitch(status);

  let me: Me | null = null;
  let problem: unknown = null;
  const render = (): void => {
    if (me === null) {
      note.textContent = problem === null ? t("home.signedOut") : `${t("error.unavailable.title")} · ${describeError(problem)}`;
      replaceChildren(cards, [card(loginUrl("/"), "action.signIn", "home.signInHint")]);
      return;
    }
    const user = me;
    note.textContent = t("home.signedIn", { name: user.display_name });
    const signOut = el("button", { className: "btn btn--ghost", i18n: "action.signOut", attrs: { type: "button" } });
    signOut.addEventListener("click", () => void logout().then(() => window.location.reload()));
    replaceChildren(cards, [
      ...ORDER.filter((id) => user.menus.includes(id)).map((id) => {
        const href = MENUS[id].href;
        return href === null ? card(null, MENUS[id].label, "menu.notYetAvailable") : card(href, MENUS[id].label, DESCRIPTIONS[id]);
      }),
      el("div", { className: "home__card home__card--plain" }, [signOut]),
    ]);
  };
  render();
  onLocaleChange(render);
  if (hasSession()) {
    getMe()
      .then((user) => {
        me = user;
      })
      .catch((err: unknown) => {
        problem = err;
      })
      .finally(render);
  }
}

function card(href: string | null, title: MessageKey, body: MessageKey): HTMLElement {
  const children = [el("span", { className: "home__card-title", i18n: title }), el("span", { className: "home__card-body", i18n: body })];
  return href === null
    ? el("div", { className: "home__card is-disabled", attrs: { "aria-disabled": "true" } }, children)
    : el("a", { className: "home__card", attrs: { href } }, children);
}
