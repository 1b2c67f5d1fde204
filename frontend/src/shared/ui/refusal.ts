/** How the console words a failed action: unreachable, refused (in the operator's language), or unexpected. */

import { describeError } from "../error-text";
import { ApiError } from "../http";
import { t } from "../i18n";

/** "Refused by the server: <the code's text (field)>", or the unreachable / unexpected text. */
export function refusalText(err: unknown): string {
  if (!(err instanceof ApiError)) {
    return t("console.error.unexpected");
  }
  return err.isUnavailable ? t("console.error.unavailable") : t("console.error.refused", { message: describeError(err) });
}
