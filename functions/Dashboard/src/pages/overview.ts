import { api, query } from "../api";
import { can } from "../app";
import { h, show } from "../dom";
import { Summary, TeamHistogram } from "../types";

/** The tiles: each counts what its inventory filter lists, and links to that list. */
export async function overviewPage(): Promise<void> {
  if (!can("ReadInventory")) {
    show("Overview", h("p", {}, "Your roles do not include reading the inventory."));
    return;
  }
  const summary = await api.get<Summary>("inventory/summary");
  const tiles = h("ul", { class: "tiles", "aria-label": "Inventory at a glance" },
    summary.tiles.map(t => h("li", {},
      h("a", { class: `tile tile-${t.id}`, href: `#/inventory${query(t.filter)}`, "data-tile": t.id },
        h("span", { class: "count", "data-count": t.count }, t.count.toLocaleString("en")),
        h("span", { class: "label" }, t.label)))));
  show("Overview",
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
