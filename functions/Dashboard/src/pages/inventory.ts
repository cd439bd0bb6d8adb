import { api, ApiError, query } from "../api";
import { can, navigate } from "../app";
import { date, daysLeft, h, message, show } from "../dom";
import { names, sourceNames, status } from "../names";
import { InventoryItem, InventoryList } from "../types";

const filters = ["expiringWithinDays", "finding", "source", "team", "owner", "issuer", "name"] as const;
const findingCodes = ["expired", "expiring", "revoked", "weak-key", "weak-signature", "self-signed", "chain-incomplete", "chain-unverifiable",
  "untrusted", "hostname-mismatch", "renewed-not-deployed", "legacy-tls", "no-revocation-url"];

/** The inventory, one server page at a time (the API's continuation token), filtered by the API's own filters. */
export async function inventoryPage(params: URLSearchParams): Promise<void> {
  const current: Record<string, string> = {};
  for (const f of filters) {
    const v = params.get(f);
    if (v) current[f] = v;
  }
  const pageSize = 50;
  const token = params.get("continuationToken") ?? undefined;
  let list: InventoryList;
  try {
    list = await api.get<InventoryList>(`inventory${query({ ...current, pageSize, continuationToken: token })}`);
  } catch (e) {
    if (e instanceof ApiError && e.status !== 401) {
      show("Inventory", filterForm(current), message("error", e.message));
      return;
    }
    throw e;
  }

  const table = list.items.length === 0
    ? h("p", { class: "muted", "data-empty": "" }, "No certificate matches.")
    : h("table", { class: "grid" },
      h("caption", { class: "visually-hidden" }, "Certificates"),
      h("thead", {}, h("tr", {}, ["Names", "Team", "Owner", "Issuer", "Source", "Not after", "Days left", "Status", "Findings"].map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, list.items.map(row)));

  const csv = can("ReadReports")
    ? h("a", { class: "button secondary", href: `/api/reports/compliance${query({ format: "csv", team: current.team })}`, download: "" }, "Export CSV")
    : null;
  const paging = h("nav", { class: "paging", "aria-label": "Pages" },
    token ? h("button", { type: "button", class: "secondary", onclick: () => history.back() }, "Previous page") : null,
    list.continuationToken
      ? h("a", { class: "button secondary", href: `#/inventory${query({ ...current, continuationToken: list.continuationToken })}`, rel: "next" }, "Next page")
      : null);
  show("Inventory", searchForm(), filterForm(current), h("div", { class: "actions" }, csv), table, paging);
}

function row(item: InventoryItem): HTMLElement {
  const n = names(item);
  const href = item.sources.includes("issued") ? `#/certificates/${encodeURIComponent(item.serialNumber)}` : `#/inventory/${item.fingerprint}`;
  const s = status(item);
  const days = daysLeft(item.notAfter);
  return h("tr", { "data-fingerprint": item.fingerprint, "data-serial": item.serialNumber },
    h("td", {}, h("a", { href }, n[0]), n.length > 1 ? h("span", { class: "muted small" }, ` +${n.length - 1}: ${n.slice(1).join(", ")}`) : null),
    h("td", {}, item.team ?? ""),
    h("td", {}, item.owner ?? ""),
    h("td", {}, item.issuerCaId ?? item.issuer),
    h("td", {}, item.sources.map(x => sourceNames[x] ?? x).join(", ")),
    h("td", {}, date(item.notAfter)),
    h("td", { class: "num" }, days),
    h("td", {}, h("span", { class: `status status-${s}` }, s)),
    h("td", {}, item.findings.map(f => h("span", { class: `chip sev-${f.severity}`, title: f.message }, f.code))));
}

/** Name or serial: a serial (hex, 16 digits or more) opens its certificate; 64 hex digits a fingerprint; anything else is a DNS name. */
function searchForm(): HTMLElement {
  const input = h("input", { id: "search", type: "search", name: "q", placeholder: "web.example.internal or 4F2A…", autocomplete: "off" });
  const form = h("form", { class: "search", role: "search" },
    h("label", { for: "search" }, "Find by name or serial"), input, h("button", { type: "submit" }, "Find"));
  form.addEventListener("submit", e => {
    e.preventDefault();
    const q = input.value.trim();
    const hex = q.replace(/:/g, "");
    if (/^[0-9a-fA-F]{64}$/.test(hex)) navigate(`#/inventory/${hex.toLowerCase()}`);
    else if (/^[0-9a-fA-F]{16,40}$/.test(hex)) navigate(`#/certificates/${hex.toUpperCase()}`);
    else if (q) navigate(`#/inventory${query({ name: q.toLowerCase() })}`);
  });
  return form;
}

function filterForm(current: Record<string, string>): HTMLElement {
  const field = (id: string, label: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { for: `f-${id}` }, label), control);
  const select = (id: string, options: [string, string][]) =>
    h("select", { id: `f-${id}`, name: id }, options.map(([v, t]) => h("option", { value: v, selected: (current[id] ?? "") === v }, t)));
  const text = (id: string) => h("input", { id: `f-${id}`, name: id, type: "text", value: current[id] ?? "", autocomplete: "off" });
  const form = h("form", { class: "filters", "aria-label": "Filters" },
    field("expiringWithinDays", "Expiring within", select("expiringWithinDays", [["", "any time"], ["7", "7 days"], ["30", "30 days"], ["90", "90 days"]])),
    field("finding", "Finding", select("finding", [["", "any"], ...findingCodes.map(c => [c, c] as [string, string])])),
    field("source", "Source", select("source", [["", "any"], ["issued", "issued here"], ["endpoint", "discovered"], ["keyvault", "Key Vault"]])),
    field("team", "Team", text("team")),
    field("owner", "Owner", text("owner")),
    field("issuer", "Issuer", text("issuer")),
    h("div", { class: "field buttons" }, h("button", { type: "submit" }, "Apply"), h("a", { href: "#/inventory", class: "button secondary" }, "Clear")));
  form.addEventListener("submit", e => {
    e.preventDefault();
    const data = new FormData(form);
    const next: Record<string, string> = {};
    for (const [k, v] of data.entries()) if (typeof v === "string" && v.trim()) next[k] = v.trim();
    navigate(`#/inventory${query(next)}`);
  });
  return form;
}
