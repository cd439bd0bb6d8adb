import { api, ApiError, query } from "../api";
import { can } from "../app";
import { date, h, message, show } from "../dom";
import { Certificate, PendingList, PendingRequest } from "../types";

/** Requests held for approval; approve or reject (with a reason) behind a confirmation, for roles that may. */
export async function approvalsPage(params: URLSearchParams, notice?: HTMLElement): Promise<void> {
  const token = params.get("continuationToken") ?? undefined;
  const list = await api.get<PendingList>(`requests${query({ status: "pending", pageSize: 50, continuationToken: token })}`);
  const decide = can("ApproveRequests");
  const table = list.items.length === 0
    ? h("p", { class: "muted", "data-empty": "" }, "No request is waiting for approval.")
    : h("table", { class: "grid" },
      h("caption", { class: "visually-hidden" }, "Pending requests"),
      h("thead", {}, h("tr", {}, ["Common name", "Names", "Profile", "Team", "Owner", "Requested by", "Requested", "Expires", ...(decide ? ["Decision"] : [])]
        .map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, list.items.map(r => row(r, decide))));
  show("Approvals", notice ?? null, table,
    h("nav", { class: "paging", "aria-label": "Pages" },
      token ? h("button", { type: "button", class: "secondary", onclick: () => history.back() }, "Previous page") : null,
      list.continuationToken ? h("a", { class: "button secondary", href: `#/approvals${query({ continuationToken: list.continuationToken })}` }, "Next page") : null));
}

function row(r: PendingRequest, decide: boolean): HTMLElement {
  return h("tr", { "data-request": r.requestId },
    h("td", {}, r.commonName ?? ""),
    h("td", {}, r.names.join(", ")),
    h("td", {}, r.profile),
    h("td", {}, r.team),
    h("td", {}, r.owner),
    h("td", {}, r.requestedBy),
    h("td", {}, date(r.createdAt)),
    h("td", {}, date(r.expiresAt)),
    decide ? h("td", {}, decision(r)) : null);
}

function decision(r: PendingRequest): HTMLElement {
  const label = r.commonName ?? r.requestId;
  const reasonId = `reason-${r.requestId}`;
  const reason = h("textarea", { id: reasonId, rows: 3, maxlength: 1000 });
  const status = h("div", { "aria-live": "polite" });
  const body = h("div", {});
  const dialog = h("dialog", { "aria-labelledby": `title-${r.requestId}` });
  const open = (approve: boolean) => {
    dialog.replaceChildren(
      h("h2", { id: `title-${r.requestId}` }, approve ? `Approve ${label}?` : `Reject ${label}?`),
      approve
        ? h("p", {}, `A ${r.profile} certificate for ${label} (team ${r.team}, requested by ${r.requestedBy}) will be signed now.`)
        : h("div", {}, h("label", { for: reasonId }, "Reason (required)"), reason),
      body,
      h("div", { class: "actions" },
        h("button", { type: "button", class: approve ? "" : "danger", onclick: async () => {
          if (!approve && !reason.value.trim()) {
            body.replaceChildren(message("error", "Give the requester a reason."));
            return;
          }
          dialog.close();
          try {
            if (approve) {
              const cert = await api.post<Certificate>(`requests/${encodeURIComponent(r.requestId)}/approve`, {});
              await approvalsPage(new URLSearchParams(), h("p", { class: "msg info", role: "status" }, `Approved ${label}: `,
                h("a", { href: `#/certificates/${cert.serialNumber}` }, `certificate ${cert.serialNumber}`)));
            } else {
              await api.post(`requests/${encodeURIComponent(r.requestId)}/reject`, { reason: reason.value.trim() });
              await approvalsPage(new URLSearchParams(), message("info", `Rejected ${label}.`));
            }
          } catch (e) {
            status.replaceChildren(message("error", e instanceof ApiError ? e.message : String(e)));
          }
        } }, approve ? "Approve" : "Reject"),
        h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Cancel")));
    dialog.showModal();
  };
  return h("div", { class: "decide" },
    h("button", { type: "button", onclick: () => open(true), "aria-label": `Approve ${label}` }, "Approve…"),
    h("button", { type: "button", class: "secondary", onclick: () => open(false), "aria-label": `Reject ${label}` }, "Reject…"),
    dialog, status);
}
