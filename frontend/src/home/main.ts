/** Entry of `/`: links to the views this user may open (or to sign-in). */

import "../shared/styles/index.css";
import "./home.css";
import { byId } from "../shared/dom";
import { renderHome } from "./home-view";

renderHome(byId("app"));
