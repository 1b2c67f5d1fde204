/** Entry of /disputes/: dispute screening and mediation (矛盾纠纷排查调处). */

import "../shared/styles/index.css";
// the ledger page's layout, forms, chips and figures table, which this page shares
import "../ledgers/ledgers.css";
import "../ledgers/ledgers-forms.css";
import "../ledgers/ledgers-tabs.css";
import "./disputes.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderDisputes } from "./disputes-view";

const root = byId("app");
bootProtectedPage(root, "disputes", (session) => renderDisputes(root, session));
