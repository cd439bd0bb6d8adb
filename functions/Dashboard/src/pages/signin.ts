import { api, ApiError, Session } from "../api";
import { h, message, show } from "../dom";

/**
 * Exchanges an API key for a session cookie. The key is sent once and dropped: the field is cleared, and nothing is
 * written to browser storage. In Azure, App Service authentication signs people in before this page is ever reached.
 */
export function signInPage(done: (s: Session) => void): void {
  const key = h("input", { id: "api-key", name: "api-key", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card narrow", novalidate: true },
    h("label", { for: "api-key" }, "API key"),
    key,
    h("p", { class: "muted small" }, "The key opens a session of a few minutes; the browser keeps only an HttpOnly cookie, never the key."),
    h("button", { type: "submit" }, "Sign in"),
    status);
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const value = key.value;
    key.value = "";
    if (!value) {
      status.replaceChildren(message("error", "Enter an API key."));
      return;
    }
    try {
      done(await api.signIn(value));
    } catch (err) {
      status.replaceChildren(message("error", err instanceof ApiError ? err.message : "The sign-in failed."));
      key.focus();
    }
  });
  show("Sign in", form);
  key.focus();
}
