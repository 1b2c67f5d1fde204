/**
 * Page boot for every signed-in view: language, client config, who the user is, and whether
 * this view is one of their menus — with a visible state for every way that can fail.
 */

import { getClientConfig, getMe } from "./api";
import { hasSession, redirectToLogin } from "./auth";
import { ApiError } from "./http";
import { initLocale } from "./i18n";
import type { ClientConfig, Me, MenuId } from "./types";
import { showError, showForbidden, showLoading } from "./ui/states";

export interface Session {
  config: ClientConfig;
  me: Me;
}

/** Used when `/api/client-config` cannot be read: offline map, Chinese UI. */
export const FALLBACK_CONFIG: ClientConfig = { map_style_url: null, default_locale: "zh-CN", app_name: "Ping'an Command" };

/** Client config, or the fallback when the server does not answer (the page can still explain). */
export async function loadClientConfig(): Promise<ClientConfig> {
  try {
    return await getClientConfig();
  } catch (err) {
    console.warn("client-config unavailable, using defaults", err);
    return FALLBACK_CONFIG;
  }
}

/**
 * Boots a protected page: signed out → login page; server down → error with Retry; view not in
 * the user's menus → not-permitted; otherwise clears `root` and calls `render(session)`.
 */
export function bootProtectedPage(root: HTMLElement, menu: MenuId, render: (session: Session) => void): void {
  initLocale();
  if (import.meta.env.DEV) {
    void import("./dev-hooks").then((m) => m.installDevHooks());
  }
  if (!hasSession()) {
    void redirectToLogin();
    return;
  }
  const attempt = async (): Promise<void> => {
    showLoading(root);
    try {
      const [config, me] = await Promise.all([loadClientConfig(), getMe()]);
      initLocale(config.default_locale);
      if (!me.menus.includes(menu)) {
        showForbidden(root, me);
        return;
      }
      root.replaceChildren();
      render({ config, me });
    } catch (err) {
      if (!(err instanceof ApiError)) {
        console.error(err);
      }
      showError(root, err, () => void attempt());
    }
  };
  void attempt();
}
