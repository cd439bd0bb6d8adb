import { api, ApiError, Session } from "./api";
import { h } from "./dom";
import { approvalsPage } from "./pages/approvals";
import { auditPage } from "./pages/audit";
import { certificatePage, inventoryItemPage } from "./pages/certificate";
import { discoveryPage } from "./pages/discovery";
import { eabPage } from "./pages/eab";
import { expiredPage } from "./pages/expired";
import { inventoryPage } from "./pages/inventory";
import { overviewPage } from "./pages/overview";
import { signInPage } from "./pages/signin";

// Hash routes, so that a link in an e-mail or a Teams card (…/api/dashboard/#/certificates/SERIAL) opens its page
// and the server serves one page for all of them.
let session: Session | undefined;

// The page a link asked for before signing in (an e-mail's "Details"), opened once signed in.
let returnTo = "#/";

export function can(permission: string): boolean {
  return session?.permissions.includes(permission) ?? false;
}

/** Whether the caller may change what belongs to the team (the API decides; this only decides what is offered). */
export function canManage(permission: string, team: string | undefined): boolean {
  return can(permission) && (can("ManageAllTeams") || (!!team && team.toLowerCase() === session?.team));
}

export function navigate(hash: string): void {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

function renderChrome(): void {
  const nav = document.getElementById("nav")!;
  const who = document.getElementById("who")!;
  if (!session) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  const current = location.hash.split("?")[0] || "#/";
  const link = (hash: string, text: string) =>
    h("a", { href: hash, "aria-current": current === hash || (hash !== "#/" && current.startsWith(hash)) ? "page" : null }, text);
  nav.replaceChildren(
    link("#/", "Overview"),
    ...(can("ReadInventory") ? [link("#/inventory", "Inventory")] : []),
    ...(can("ReadCertificates") ? [link("#/approvals", "Approvals")] : []),
    ...(can("ReadDiscovery") ? [link("#/discovery", "Discovery")] : []),
    ...(can("ReadAudit") ? [link("#/audit", "Audit")] : []),
    ...(can("ManageAllTeams") ? [link("#/acme-eab", "ACME credentials")] : []));
  who.replaceChildren(
    h("span", { class: "muted" }, `${session.id}${session.team ? ` (${session.team})` : ""} · ${session.roles.join(", ") || "no role"}`),
    ...(session.authenticationMethod === "session"
      ? [h("button", { type: "button", class: "link", onclick: async () => { await api.signOut().catch(() => {}); session = undefined; navigate("#/signin"); } }, "Sign out")]
      : []),
  );
}

async function route(): Promise<void> {
  const [path, search] = (location.hash.replace(/^#/, "") || "/").split("?");
  const params = new URLSearchParams(search ?? "");
  if (path === "/signin") {
    session = undefined;
    renderChrome();
    signInPage(async s => {
      session = s;
      const next = returnTo;
      returnTo = "#/";
      navigate(next);
    });
    return;
  }
  if (path === "/expired") {
    session = undefined;
    renderChrome();
    expiredPage();
    return;
  }
  if (!session) {
    try {
      session = await api.session();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        returnTo = location.hash || "#/";
        // A cookie that no longer opens a session says why; no cookie at all means signing in.
        navigate(e.problem.type.endsWith(":invalid-credentials") ? "#/expired" : "#/signin");
        return;
      }
      throw e;
    }
  }
  renderChrome();
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0) await overviewPage();
  else if (parts[0] === "inventory" && parts.length === 1) await inventoryPage(params);
  else if (parts[0] === "inventory" && parts.length === 2) await inventoryItemPage(decodeURIComponent(parts[1]));
  else if (parts[0] === "certificates" && parts.length === 2) await certificatePage(decodeURIComponent(parts[1]));
  else if (parts[0] === "approvals" && parts.length === 1) await approvalsPage(params);
  else if (parts[0] === "audit" && parts.length === 1) await auditPage(params);
  else if (parts[0] === "discovery" && parts.length === 1) await discoveryPage();
  else if (parts[0] === "acme-eab" && parts.length === 1) await eabPage(params);
  else {
    document.getElementById("main")!.replaceChildren(h("h1", {}, "Not found"), h("p", {}, "No page of the dashboard has this address."));
  }
}

api.unauthorized = () => {
  if (session) {
    session = undefined;
    returnTo = location.hash || "#/";
    navigate("#/expired");
  }
};

window.addEventListener("hashchange", () => void route().catch(fail));
window.addEventListener("DOMContentLoaded", () => void route().catch(fail));

function fail(e: unknown): void {
  const main = document.getElementById("main")!;
  main.replaceChildren(h("h1", {}, "Something went wrong"), h("p", { role: "alert", class: "msg error" }, e instanceof Error ? e.message : String(e)));
}
