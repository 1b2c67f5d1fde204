/** Entry of /rentals/: rental-housing grading (出租屋分级分类评定). */

import "../shared/styles/index.css";
// the ledger page's layout, forms, chips and figures table, which this page shares
import "../ledgers/ledgers.css";
import "../ledgers/ledgers-forms.css";
import "../ledgers/ledgers-tabs.css";
import "./rentals.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderRentals } from "./rentals-view";

const root = byId("app");
bootProtectedPage(root, "rentals", (session) => renderRentals(root, session));
