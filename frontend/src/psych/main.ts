/** Entry of /psych/: psychological services (社会心理服务). */

import "../shared/styles/index.css";
import "./psych.css";
import "./psych-person.css";
import "./psych-units.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderPsych } from "./psych-view";

const root = byId("app");
bootProtectedPage(root, "psych", (session) => renderPsych(root, session));
