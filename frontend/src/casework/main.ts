/** Entry of /casework/: the case workers' follow-up page. */

import "../shared/styles/index.css";
import "./casework.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderCasework } from "./casework-view";

const root = byId("app");
bootProtectedPage(root, "casework", (session) => renderCasework(root, session));
