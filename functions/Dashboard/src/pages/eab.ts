import { api, query } from "../api";
import { h, date, message, show } from "../dom";
import { EabCredential } from "../types";

/**
 * ACME External Account Binding credentials, for admins (the API's ManageAllTeams): a team's credentials, a new one
 * (its HMAC key shown once, in this page's memory only, never stored), and revoke behind a confirmation.
 */
export async function eabPage(params: URLSearchParams, notice?: HTMLElement, created?: EabCredential): Promise<void> {
  const team = params.get("team") ?? "";
  const list = team ? await api.get<EabCredential[]>(`acme/eab${query({ team })}`) : undefined;
  const teamField = h("input", { id: "eab-team", name: "team", value: team, required: true, autocomplete: "off" });
  const ownerField = h("input", { id: "eab-owner", name: "owner", autocomplete: "off" });
  const status = h("div", { "aria-live": "polite" });
  const listTeam = h("form", { class: "filters", onsubmit: (e: Event) => {
    e.preventDefault();
    location.hash = `#/acme-eab${query({ team: (document.getElementById("eab-list-team") as HTMLInputElement).value.trim() })}`;
  } },
    h("div", { class: "field" }, h("label", { for: "eab-list-team" }, "Team"), h("input", { id: "eab-list-team", value: team, autocomplete: "off" })),
    h("div", { class: "field buttons" }, h("button", { type: "submit", class: "secondary" }, "List credentials")));
  const create = h("form", { class: "card narrow", "aria-labelledby": "eab-create-title", onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      const c = await api.post<EabCredential>("acme/eab", { team: teamField.value.trim(), owner: ownerField.value.trim() || undefined });
      await eabPage(new URLSearchParams({ team: c.team }), undefined, c);
    } catch (err) {
      status.replaceChildren(message("error", err instanceof Error ? err.message : String(err)));
    }
  } },
    h("h2", { id: "eab-create-title" }, "New credential"),
    h("label", { for: "eab-team" }, "Team"), teamField,
    h("label", { for: "eab-owner" }, "Owner (optional)"), ownerField,
    h("button", { type: "submit" }, "Create credential"), status);
  show("ACME credentials",
    notice ?? null,
    created ? secretOnce(created) : null,
    h("p", { class: "muted" }, "External Account Binding credentials bind an ACME account to a team. A credential's HMAC key is shown once, when it is created."),
    create,
    h("h2", {}, team ? `Credentials of team ${team}` : "Credentials"),
    listTeam,
    list === undefined ? h("p", { class: "muted" }, "Name a team to list its credentials.")
      : list.length === 0 ? h("p", { class: "muted", "data-empty": "" }, "This team has no credential.")
        : h("table", { class: "grid" },
          h("caption", { class: "visually-hidden" }, `EAB credentials of team ${team}`),
          h("thead", {}, h("tr", {}, ["Key id", "Owner", "Created", "Created by", "Status", "Account", "Action"].map(c => h("th", { scope: "col" }, c)))),
          h("tbody", {}, list.map(c => row(c, params)))));
}

function secretOnce(c: EabCredential): HTMLElement {
  return h("section", { class: "card secret", "aria-labelledby": "eab-secret-title", "data-created": c.kid },
    h("h2", { id: "eab-secret-title" }, "Copy the HMAC key now"),
    h("p", {}, "This is the only time the key is shown. Give it to the team with the key id; the service keeps it wrapped and never shows it again."),
    h("dl", { class: "facts" },
      h("dt", {}, "Key id"), h("dd", {}, h("code", { "data-kid": c.kid }, c.kid)),
      h("dt", {}, "HMAC key"), h("dd", {}, h("code", { "data-hmac-key": "" }, c.hmacKey ?? "")),
      h("dt", {}, "Team"), h("dd", {}, c.team)));
}

function row(c: EabCredential, params: URLSearchParams): HTMLElement {
  const revoke = c.status === "revoked" ? h("span", { class: "muted" }, `revoked ${date(c.revokedAt)}`) : revokeControl(c, params);
  return h("tr", { "data-kid": c.kid, "data-status": c.status },
    h("td", {}, h("code", {}, c.kid)),
    h("td", {}, c.owner ?? ""),
    h("td", {}, date(c.createdAt)),
    h("td", {}, c.createdBy),
    h("td", {}, c.status),
    h("td", {}, c.accountId ?? ""),
    h("td", {}, revoke));
}

function revokeControl(c: EabCredential, params: URLSearchParams): HTMLElement {
  const dialog = h("dialog", { "aria-labelledby": `revoke-${c.kid}-title` },
    h("h2", { id: `revoke-${c.kid}-title` }, "Revoke this credential?"),
    h("p", {}, `Key id ${c.kid} of team ${c.team}. No ACME account can bind with it any more; an account already bound keeps working.`),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "danger", "data-confirm-revoke": c.kid, onclick: async () => {
        dialog.close();
        try {
          await api.delete(`acme/eab/${encodeURIComponent(c.kid)}`);
          await eabPage(params, message("info", `Credential ${c.kid} revoked.`));
        } catch (e) {
          await eabPage(params, message("error", e instanceof Error ? e.message : String(e)));
        }
      } }, "Revoke"),
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Cancel")));
  return h("span", {},
    h("button", { type: "button", class: "danger", "data-revoke": c.kid, "aria-label": `Revoke credential ${c.kid}`, onclick: () => dialog.showModal() }, "Revoke…"),
    dialog);
}
