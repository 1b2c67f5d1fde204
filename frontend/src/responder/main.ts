/** Entry of /responder/: the field responder's installable web app. */

import "../shared/styles/index.css";
import "./responder.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { registerServiceWorker } from "./sw-register";
import { renderResponder } from "./responder-view";

registerServiceWorker();
if (import.meta.env.DEV) {
  // Development only: drive the view from the browser console before the realtime client exists.
  void import("./responder-state").then((state) => Object.assign(window, { pinganResponder: state }));
}
const root = byId("app");
bootProtectedPage(root, "responder", (session) => renderResponder(root, session));
