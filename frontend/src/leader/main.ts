/** Entry of /leader/: the leader's monitoring view. */

import "../shared/styles/index.css";
import "./leader.css";
import "./governance.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderLeader } from "./leader-view";

const root = byId("app");
bootProtectedPage(root, "leader", (session) => renderLeader(root, session));
