/** Full-area loading, error and not-permitted states, so a page is never blank. */

import { loginUrl } from "../auth";
import { el, replaceChildren } from "../dom";
import { describeError } from "../error-text";
import { ApiError } from "../http";
import { t, type MessageKey } from "../i18n";
import type { Me } from "../types";
import { menuLinks } from "./nav";

/** Replaces `target`'s content with a spinner and a message. */
export function showLoading(target: HTMLElement, message: MessageKey = "state.loading"): void {
  replaceChildren(target, [
    el("div", { className: "state state--loading", attrs: { role: "status" } }, [
      el("div", { className: "spinner", attrs: { "aria-hidden": "true" } }),
      el("p", { className: "state__title", i18n: message }),
    ]),
  ]);
}

/** Explains why the page cannot load, with Retry and Sign in actions. */
export function showError(target: HTMLElement, error: unknown, retry: () => void): void {
  const unavailable = !(error instanceof ApiError) || error.isUnavailable;
  const retryButton = el("button", { className: "btn btn--primary", i18n: "action.retry", attrs: { type: "button" } });
  retryButton.addEventListener("click", retry);
  const signIn = el("a", { className: "btn", i18n: "action.signIn", attrs: { href: loginUrl(currentPath()) } });
  replaceChildren(target, [
    el("div", { className: "state state--error", attrs: { role: "alert" } }, [
      el("div", { className: "state__icon", text: "!", attrs: { "aria-hidden": "true" } }),
      el("h2", { className: "state__title", i18n: unavailable ? "error.unavailable.title" : "error.generic.title" }),
      el("p", { className: "state__body", i18n: unavailable ? "error.unavailable.body" : "error.generic.body" }),
      el("p", { className: "state__detail", text: error instanceof ApiError ? describeError(error) : "", attrs: { title: errorDetail(error) }, dataset: { code: error instanceof ApiError ? error.code : "unexpected" } }),
      el("div", { className: "state__actions" }, [retryButton, signIn]),
    ]),
  ]);
}

/** Tells a signed-in user this view is not among their menus and links the ones that are. */
export function showForbidden(target: HTMLElement, me: Me): void {
  replaceChildren(target, [
    el("div", { className: "state state--forbidden", attrs: { role: "alert" } }, [
      el("div", { className: "state__icon", text: "⛔", attrs: { "aria-hidden": "true" } }),
      el("h2", { className: "state__title", i18n: "error.forbidden.title" }),
      el("p", { className: "state__body", text: t("error.forbidden.body", { name: me.display_name }) }),
      el("nav", { className: "state__actions" }, menuLinks(me.menus, null, "btn")),
    ]),
  ]);
}

/** A short technical line (code and message) for support, or "" when there is nothing useful; untranslated, so for tooltips. */
export function errorDetail(error: unknown): string {
  if (error instanceof ApiError) {
    return error.status === 0 ? `${error.code}: ${error.message}` : `HTTP ${error.status} · ${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : "";
}

function currentPath(): string {
  return `${window.location.pathname}${window.location.search}`;
}
