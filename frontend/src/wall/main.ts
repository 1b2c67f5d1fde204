/** Entry of /wall/: the big-screen display. */

import "../shared/styles/index.css";
import "./wall.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { renderWall } from "./wall-view";

const root = byId("app");
bootProtectedPage(root, "wall", (session) => renderWall(root, session));
