/** Entry of /responder/: the field responder's installable web app. */

import "../shared/styles/index.css";
import "./responder.css";
import { byId } from "../shared/dom";
import { bootProtectedPage } from "../shared/session";
import { ResponderController } from "./controller";
import { renderResponder } from "./responder-view";
import { registerServiceWorker } from "./sw-register";

registerServiceWorker();
const root = byId("app");
bootProtectedPage(root, "responder", (session) => {
  const controller = new ResponderController(session);
  renderResponder(root, session, controller, () => controller.serverNow());
  controller.start();
  if (import.meta.env.DEV) {
    Object.assign(window, { pinganResponder: controller });
  }
});
