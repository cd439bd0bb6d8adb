import { h, show } from "../dom";

/** What a 401 shows once signed in: the session ended, nothing was changed, sign in again. */
export function expiredPage(): void {
  show("Session expired",
    h("div", { class: "card narrow", role: "alert" },
      h("p", {}, "Your session has ended (it expired, or you signed out elsewhere). Nothing was changed by the request that found it."),
      h("p", {}, h("a", { href: "#/signin" }, "Sign in again"))));
}
