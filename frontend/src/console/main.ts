/** Entry of /console/: the operator console. */

import "../shared/styles/index.css";
import "./console.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderConsole } from "./console-view";

const root = byId("app");
bootProtectedPage(root, "console", (session) => renderConsole(root, session));
