import { api, query } from "../api";
import { can } from "../app";
import { h, show } from "../dom";
import { Summary } from "../types";

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
    tiles);
}
