/** Entry of /ledgers/: ledgers of special and vulnerable groups (特殊人群困难群体台账). */

import "../shared/styles/index.css";
import "./ledgers.css";
import "./ledgers-forms.css";
import "./ledgers-tabs.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderLedgers } from "./ledgers-view";

const root = byId("app");
bootProtectedPage(root, "ledgers", (session) => renderLedgers(root, session));
