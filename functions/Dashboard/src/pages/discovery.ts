import { api, ApiError } from "../api";
import { can } from "../app";
import { date, h, message, show } from "../dom";
import { Sweep, Target } from "../types";

let polling: number | undefined;

/** Discovery targets (add, remove), and a sweep started here with its progress until it completes. */
export async function discoveryPage(notice?: HTMLElement): Promise<void> {
  window.clearTimeout(polling);
  const targets = await api.get<Target[]>("discovery/targets");
  const manage = can("ManageDiscovery");
  const progress = h("div", { id: "sweep-progress", "aria-live": "polite" });
  const table = targets.length === 0
    ? h("p", { class: "muted" }, "No targets yet.")
    : h("table", { class: "grid" },
      h("caption", { class: "visually-hidden" }, "Discovery targets"),
      h("thead", {}, h("tr", {}, ["Kind", "Address", "Ports", "Endpoints", "Description", "Added", ...(manage ? ["Remove"] : [])].map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, targets.map(t => h("tr", { "data-target": t.id },
        h("td", {}, t.kind),
        h("td", {}, t.host ?? t.cidr ?? t.hosts?.join(", ") ?? t.vaultUri ?? ""),
        h("td", {}, (t.ports ?? (t.port ? [t.port] : [])).join(", ")),
        h("td", { class: "num" }, t.endpoints),
        h("td", {}, t.description ?? ""),
        h("td", {}, date(t.createdAt)),
        manage ? h("td", {}, h("button", { type: "button", class: "secondary", "aria-label": `Remove ${t.host ?? t.cidr ?? t.vaultUri ?? t.id}`, onclick: async () => {
          await api.delete(`discovery/targets/${encodeURIComponent(t.id)}`);
          await discoveryPage(message("info", "Target removed."));
        } }, "Remove")) : null))));
  show("Discovery", notice ?? null,
    manage ? h("div", { class: "actions" }, h("button", { type: "button", id: "start-sweep", onclick: () => startSweep(progress) }, "Start a sweep now")) : null,
    progress,
    h("h2", {}, "Targets"), table,
    manage ? addForm() : null);
}

async function startSweep(progress: HTMLElement): Promise<void> {
  try {
    const sweep = await api.post<Sweep>("discovery/sweeps", undefined);
    render(progress, sweep);
    const poll = async () => {
      const now = await api.get<Sweep>(`discovery/sweeps/${encodeURIComponent(sweep.id)}`);
      if (!document.body.contains(progress)) return;
      render(progress, now);
      if (!now.complete) polling = window.setTimeout(() => void poll(), 1000);
    };
    polling = window.setTimeout(() => void poll(), 500);
  } catch (e) {
    progress.replaceChildren(message("error", e instanceof ApiError ? e.message : String(e)));
  }
}

function render(progress: HTMLElement, s: Sweep): void {
  const outcomes = Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(", ") || "none yet";
  progress.replaceChildren(h("div", { class: "card", "data-sweep": s.id, "data-complete": String(s.complete) },
    h("p", {}, h("strong", {}, s.complete ? "Sweep complete" : "Sweep running"), ` — batches ${s.batchesDone} of ${s.batches}, ${s.endpoints} endpoints, ${s.vaults} vaults`),
    h("p", {}, h("progress", { max: Math.max(1, s.batches), value: s.batchesDone, "aria-label": "Sweep progress" })),
    h("p", {}, `Certificates seen: ${s.certificates}. Outcomes: ${outcomes}. Failures: ${s.failureCount}.`)));
}

function addForm(): HTMLElement {
  const field = (id: string, label: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { for: id }, label), control);
  const kind = h("select", { id: "t-kind" }, [["endpoint", "one endpoint"], ["cidr", "a CIDR range"], ["keyvault", "a Key Vault"]].map(([v, t]) => h("option", { value: v }, t)));
  const address = h("input", { id: "t-address", type: "text", autocomplete: "off", required: true });
  const ports = h("input", { id: "t-ports", type: "text", autocomplete: "off", value: "443" });
  const description = h("input", { id: "t-description", type: "text", autocomplete: "off" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "filters", "aria-label": "Add a target" },
    field("t-kind", "Kind", kind),
    field("t-address", "Host, range or vault URI", address),
    field("t-ports", "Ports", ports),
    field("t-description", "Description", description),
    h("div", { class: "field buttons" }, h("button", { type: "submit" }, "Add target")),
    status);
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const portList = ports.value.split(/[ ,]+/).filter(Boolean).map(Number);
    const body: Record<string, unknown> = { kind: kind.value, description: description.value || undefined };
    if (kind.value === "endpoint") Object.assign(body, { host: address.value.trim(), port: portList[0] });
    else if (kind.value === "cidr") Object.assign(body, { cidr: address.value.trim(), ports: portList });
    else Object.assign(body, { vaultUri: address.value.trim() });
    try {
      await api.post("discovery/targets", body);
      await discoveryPage(message("info", "Target added."));
    } catch (err) {
      status.replaceChildren(message("error", err instanceof ApiError ? err.message : String(err)));
    }
  });
  return h("section", { "aria-label": "Add a target" }, h("h2", {}, "Add a target"), form);
}
