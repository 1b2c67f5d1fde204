/** Entry of /login/. */

import "../shared/styles/index.css";
import "./login.css";
import { byId } from "../shared/dom";
import { renderLogin } from "./login-view";

renderLogin(byId("app"));
