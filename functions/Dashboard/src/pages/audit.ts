import { api, query } from "../api";
import { h, show } from "../dom";
import { AuditPage, AuditVerification } from "../types";

/** The audit trail in chain order, a page at a time, and a button that walks the whole chain (GET /api/audit/verify). */
export async function auditPage(params: URLSearchParams): Promise<void> {
  const token = params.get("continuationToken") ?? undefined;
  const from = params.get("from") ?? undefined;
  const page = await api.get<AuditPage>(`audit${query({ limit: 100, from, continuationToken: token })}`);
  const result = h("div", { "aria-live": "polite", id: "verify-result" });
  const verify = h("button", { type: "button", id: "verify", onclick: async () => {
    verify.setAttribute("disabled", "");
    result.replaceChildren(h("p", { class: "muted" }, "Walking the chain…"));
    try {
      const v = await api.get<AuditVerification>("audit/verify");
      result.replaceChildren(v.ok
        ? h("p", { class: "msg info", role: "status", "data-ok": "true" }, `Chain verified: ${v.count} records, head #${v.headSequence} ${v.headHash.slice(0, 16)}…`)
        : h("p", { class: "msg error", role: "alert", "data-ok": "false" }, `Chain broken at #${v.break?.sequence}: ${v.break?.problem} — ${v.break?.detail}`));
    } finally {
      verify.removeAttribute("disabled");
    }
  } }, "Verify chain");
  const table = h("table", { class: "grid" },
    h("caption", { class: "visually-hidden" }, "Audit records"),
    h("thead", {}, h("tr", {}, ["#", "Time (UTC)", "Who", "Action", "Outcome", "Subject", "Detail"].map(c => h("th", { scope: "col" }, c)))),
    h("tbody", {}, page.records.map(r => h("tr", { "data-sequence": r.sequence },
      h("td", { class: "num" }, r.sequence),
      h("td", {}, r.time.slice(0, 19).replace("T", " ")),
      h("td", {}, `${r.actor.id}${r.actor.team ? ` (${r.actor.team})` : ""}`),
      h("td", {}, r.action),
      h("td", {}, h("span", { class: `outcome outcome-${r.outcome}` }, r.outcome)),
      h("td", {}, r.serialNumber ? h("a", { href: `#/certificates/${r.serialNumber}` }, r.serialNumber) : (r.requestId ?? r.targetId ?? r.fingerprint ?? "")),
      h("td", { class: "small" }, r.problemType ? `${r.problemType}: ${r.detail ?? ""}` : (r.detail ?? ""))))));
  show("Audit trail",
    h("div", { class: "actions" }, verify), result,
    page.unreadable?.length ? h("p", { class: "msg error", role: "alert" }, `${page.unreadable.length} rows of this page cannot be read as written: verify the chain.`) : null,
    page.records.length ? table : h("p", { class: "muted" }, "No records."),
    h("nav", { class: "paging", "aria-label": "Pages" },
      token ? h("button", { type: "button", class: "secondary", onclick: () => history.back() }, "Previous page") : null,
      page.continuationToken ? h("a", { class: "button secondary", href: `#/audit${query({ from, continuationToken: page.continuationToken })}` }, "Next page") : null));
}
