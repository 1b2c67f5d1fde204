/**
 * Sign-in: username and password, then back to `?next=` (same-origin paths only) or to the
 * user's first menu. Says plainly when the server cannot be reached or the password is wrong.
 */

import { getClientConfig } from "../shared/api";
import { login, safeReturnPath } from "../shared/auth";
import { el } from "../shared/dom";
import { describeError, errorTechnical } from "../shared/error-text";
import { ApiError } from "../shared/http";
import { initLocale, t, type MessageKey } from "../shared/i18n";
import { mountLanguageSwitch } from "../shared/ui/language-switch";
import { homeFor } from "../shared/ui/nav";

export function renderLogin(root: HTMLElement): void {
  initLocale();
  const banner = el("p", { className: "login__banner", attrs: { role: "status", hidden: "" } });
  const error = el("p", { className: "login__error", attrs: { role: "alert", id: "login-error" } });
  const username = el("input", {
    className: "field__input",
    attrs: { id: "username", name: "username", autocomplete: "username", required: "", autocapitalize: "off", spellcheck: "false" },
  });
  const password = el("input", {
    className: "field__input",
    attrs: { id: "password", name: "password", type: "password", autocomplete: "current-password", required: "" },
  });
  const submit = el("button", { className: "btn btn--primary btn--xl", i18n: "login.submit", attrs: { type: "submit" } });
  const form = el("form", { className: "login__form", attrs: { novalidate: "", "aria-describedby": "login-error" } }, [
    field("username", "login.username", username),
    field("password", "login.password", password),
    error,
    submit,
  ]);
  const langDock = el("div", { className: "login__lang" });
  root.append(
    el("div", { className: "login" }, [
      langDock,
      el("main", { className: "login__card panel" }, [
        el("div", { className: "login__brand" }, [
          el("img", { className: "login__logo", attrs: { src: "/icons/icon.svg", alt: "" } }),
          el("div", {}, [
            el("h1", { className: "login__title", i18n: "app.fullName" }),
            el("p", { className: "login__subtitle", i18n: "login.subtitle" }),
          ]),
        ]),
        banner,
        form,
      ]),
      el("p", { className: "login__footer", i18n: "login.footer" }),
    ]),
  );
  mountLanguageSwitch(langDock);
  username.focus();

  // Default language, and a warning up front when the server does not answer (so a failed
  // sign-in is not mistaken for a wrong password). The form works either way.
  getClientConfig()
    .then((config) => initLocale(config.default_locale))
    .catch(() => {
      banner.hidden = false;
      banner.dataset.i18n = "login.serverDown";
      banner.textContent = t("login.serverDown");
    });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    error.removeAttribute("title");
    for (const input of [username, password]) {
      input.removeAttribute("aria-invalid");
    }
    const missing = [username, password].find((input) => input.value.trim() === "");
    if (missing !== undefined) {
      missing.setAttribute("aria-invalid", "true");
      missing.focus();
      error.textContent = t("login.missing");
      return;
    }
    submit.disabled = true;
    submit.textContent = t("login.submitting");
    login(username.value.trim(), password.value)
      .then((me) => {
        const next = safeReturnPath(new URLSearchParams(window.location.search).get("next"));
        window.location.assign(next ?? homeFor(me.menus));
      })
      .catch((err: unknown) => {
        error.textContent = describeLoginError(err);
        error.title = errorTechnical(err);
        if (err instanceof ApiError && err.field !== null) {
          document.getElementById(err.field)?.setAttribute("aria-invalid", "true");
        }
        password.value = "";
        password.focus();
      })
      .finally(() => {
        submit.disabled = false;
        submit.textContent = t("login.submit");
      });
  });
}

function field(id: string, label: MessageKey, input: HTMLInputElement): HTMLElement {
  return el("div", { className: "field" }, [el("label", { className: "field__label", i18n: label, attrs: { for: id } }), input]);
}

function describeLoginError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401 || err.status === 403) {
      return t("login.invalid");
    }
    if (err.status === 429) {
      return t("login.tooMany");
    }
    if (err.isUnavailable) {
      return `${t("error.unavailable.title")} · ${describeError(err)}`;
    }
    return describeError(err);
  }
  return t("error.generic.title");
}
