import { api, query } from "../api";
import { can } from "../app";
import { h, show } from "../dom";
import { HealthReport, Summary, TeamHistogram } from "../types";

/** The tiles: each counts what its inventory filter lists, and links to that list. */
export async function overviewPage(): Promise<void> {
  if (!can("ReadInventory")) {
    show("Overview", h("p", {}, "Your roles do not include reading the inventory."));
    return;
  }
  const [summary, health] = await Promise.all([api.get<Summary>("inventory/summary"), api.get<HealthReport>("health/details")]);
  const tiles = h("ul", { class: "tiles", "aria-label": "Inventory at a glance" },
    summary.tiles.map(t => h("li", {},
      h("a", { class: `tile tile-${t.id}`, href: `#/inventory${query(t.filter)}`, "data-tile": t.id },
        h("span", { class: "count", "data-count": t.count }, t.count.toLocaleString("en")),
        h("span", { class: "label" }, t.label)))));
  show("Overview",
    healthStrip(health),
    h("p", { class: "muted" }, summary.team ? `Team ${summary.team}, as of ${summary.generatedAt.slice(0, 16).replace("T", " ")} UTC.` : `All teams, as of ${summary.generatedAt.slice(0, 16).replace("T", " ")} UTC.`),
    tiles,
    h("h2", {}, "Expiring in the next 90 days, by team and week"),
    histogram(summary.histogram));
}

/** A table (readable as such by screen readers): teams by week, each cell shaded by how many certificates expire then. */
function histogram(rows: TeamHistogram[]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted", "data-histogram": "empty" }, "Nothing expires in the next 90 days.");
  const weeks = rows[0].weeks.length;
  const max = Math.max(1, ...rows.flatMap(r => r.weeks));
  const level = (n: number) => (n === 0 ? 0 : Math.min(4, Math.ceil((n / max) * 4)));
  return h("table", { class: "grid histogram", "data-histogram": "" },
    h("caption", { class: "visually-hidden" }, "Certificates expiring per week, by team"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Team"),
      Array.from({ length: weeks }, (_, w) => h("th", { scope: "col", class: "num" }, `${w * 7}–${w * 7 + 6} d`)),
      h("th", { scope: "col", class: "num" }, "Total"))),
    h("tbody", {}, rows.map(r => h("tr", { "data-team": r.team },
      h("th", { scope: "row" }, r.team),
      r.weeks.map((n, w) => h("td", { class: `num lvl-${level(n)}`, "data-week": w }, n)),
      h("td", { class: "num" }, r.weeks.reduce((a, b) => a + b, 0))))));
}

const when = (iso: string | undefined) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "");

/** The health strip: one card per part, each saying ok or what is wrong, with the details in a list beneath. */
function healthStrip(r: HealthReport): HTMLElement {
  const keysOk = r.caKeys.every(k => k.reachable);
  const crlsOk = r.crls.every(c => c.status === "current");
  const ocspOk = r.ocsp.length > 0 && r.ocsp.every(o => o.ok);
  const audit = r.audit;
  const auditState = audit.verifiedAt === undefined || audit.verifiedAt === null ? "never" : audit.ok ? "ok" : "broken";
  const card = (id: string, ok: boolean | null, title: string, summary: string, details: HTMLElement) =>
    h("li", { class: `health ${ok === null ? "health-unknown" : ok ? "health-ok" : "health-bad"}`, "data-health": id, "data-ok": ok === null ? "unknown" : String(ok) },
      h("span", { class: "health-title" }, title),
      h("span", { class: "health-state" }, summary),
      details);
  return h("section", { "aria-labelledby": "health-heading" },
    h("h2", { id: "health-heading" }, "Health"),
    h("ul", { class: "health-strip" },
      card("ca-keys", keysOk, "CA keys", keysOk ? `${r.caKeys.length} of ${r.caKeys.length} reachable` : `${r.caKeys.filter(k => !k.reachable).length} not reachable`,
        h("ul", { class: "small" }, r.caKeys.map(k => h("li", { "data-ca": k.caId, "data-reachable": String(k.reachable), title: k.detail },
          `${k.caId} (${k.role}, ${k.provider}): ${k.reachable ? "reachable" : k.detail}`)))),
      card("crls", crlsOk, "CRLs", crlsOk ? `${r.crls.length} current` : `${r.crls.filter(c => c.status !== "current").length} stale or missing`,
        h("ul", { class: "small" }, r.crls.map(c => h("li", { "data-crl": `${c.caId}/${c.crl}`, "data-next-update": c.nextUpdate ?? "", "data-status": c.status },
          `${c.caId} ${c.crl}: ${c.nextUpdate ? `next update ${when(c.nextUpdate)}` : "never published"}${c.status === "stale" ? " (stale)" : ""}`)))),
      card("ocsp", ocspOk, "OCSP self-check", ocspOk ? "answering, signed" : r.ocsp.length === 0 ? "no issuing CA" : "failing",
        h("ul", { class: "small" }, r.ocsp.map(o => h("li", { "data-ca": o.caId, "data-ok": String(o.ok) }, `${o.caId}: ${o.detail}`)))),
      card("audit", auditState === "never" ? null : auditState === "ok", "Audit chain",
        auditState === "never" ? "never verified" : auditState === "ok" ? `verified ${when(audit.verifiedAt)}` : `broken at record ${audit.brokenAt}`,
        h("p", { class: "small", "data-verified-at": audit.verifiedAt ?? "" },
          auditState === "never" ? "Verify it on the audit page." : `${audit.count} records checked at ${when(audit.verifiedAt)}.`))));
}
