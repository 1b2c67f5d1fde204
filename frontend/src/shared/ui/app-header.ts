/** The header of the console, leader and responder views: brand, title, menus, status, user. */

import { logout, LOGIN_PATH } from "../auth";
import { el } from "../dom";
import type { MessageKey } from "../i18n";
import type { Session } from "../session";
import type { MenuId } from "../types";
import { mountConnectionIndicator } from "./connection-indicator";
import { mountLanguageSwitch } from "./language-switch";
import { menuLinks } from "./nav";

export interface AppHeaderOptions {
  title: MessageKey;
  current: MenuId;
  /** Hide the menu links (the responder app on a phone has no room for them). */
  compact?: boolean;
}

export function mountAppHeader(parent: HTMLElement, session: Session, options: AppHeaderOptions): HTMLElement {
  const status = el("div", { className: "app-header__status" });
  const logoutButton = el("button", { className: "btn btn--ghost", i18n: "action.signOut", attrs: { type: "button" } });
  logoutButton.addEventListener("click", () => {
    void logout().then(() => window.location.assign(LOGIN_PATH));
  });
  const header = el("header", { className: `app-header${options.compact === true ? " app-header--compact" : ""}` }, [
    el("a", { className: "app-header__brand", attrs: { href: "/" } }, [
      el("img", { className: "app-header__logo", attrs: { src: "/icons/icon.svg", alt: "" } }),
      el("span", { className: "app-header__name", i18n: "app.name" }),
    ]),
    el("h1", { className: "app-header__title", i18n: options.title }),
    options.compact === true
      ? null
      : el("nav", { className: "app-header__nav" }, menuLinks(session.me.menus, options.current, "app-header__link")),
    status,
    el("div", { className: "app-header__user" }, [
      el("span", { className: "app-header__username", text: session.me.display_name }),
      logoutButton,
    ]),
  ]);
  mountConnectionIndicator(status);
  mountLanguageSwitch(status);
  parent.append(header);
  return header;
}
