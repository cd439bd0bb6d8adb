import { api, ApiError } from "../api";
import { can, canManage } from "../app";
import { date, daysLeft, h, message, show } from "../dom";
import { names, sourceNames, status } from "../names";
import { Certificate, InventoryItem } from "../types";

const reasons = ["unspecified", "keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged", "privilegeWithdrawn"];

/** A certificate this service issued: its record, chain and PEM, where it was seen, its renewal links, revoke and renew early. */
export async function certificatePage(serial: string, notice?: HTMLElement): Promise<void> {
  let cert: Certificate;
  try {
    cert = await api.get<Certificate>(`certificates/${encodeURIComponent(serial)}`);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 400 || e.status === 403)) {
      show("Certificate not found", message("error", e.message), h("p", {}, h("a", { href: "#/inventory" }, "Back to the inventory")));
      return;
    }
    throw e;
  }
  const item = await inventoryOf(cert.certificatePem);
  const title = item ? names(item)[0] : `Certificate ${cert.serialNumber}`;
  const revocable = cert.status === "issued" && canManage("RevokeCertificates", cert.team);
  // The early-renewal API is an admin's (ManageAllTeams), as the API checks; a revoked or renewed certificate has nothing to renew.
  const renewable = cert.status === "issued" && !cert.successorSerialNumber && can("ManageAllTeams");
  show(title,
    notice ?? null,
    h("dl", { class: "facts" },
      fact("Names", item ? names(item).join(", ") : ""),
      fact("Status", h("span", { class: `status status-${cert.status}`, "data-status": cert.status }, cert.status)),
      cert.revokedAt ? fact("Revoked", `${date(cert.revokedAt)} (${cert.revocationReason ?? "unspecified"})`) : null,
      fact("Serial", h("code", {}, cert.serialNumber)),
      fact("Not before", date(cert.notBefore)),
      fact("Not after", `${date(cert.notAfter)} (${daysLeft(cert.notAfter)} days left)`),
      fact("Team", cert.team ?? ""),
      fact("Owner", cert.owner),
      fact("Profile", cert.profile),
      fact("Issuer", cert.issuerId),
      item ? fact("Key", `${item.keyAlgorithm} ${item.keySize}, signed ${item.signatureAlgorithm}`) : null,
      fact("Predecessor", cert.predecessorSerialNumber ? h("a", { href: `#/certificates/${cert.predecessorSerialNumber}` }, cert.predecessorSerialNumber) : "none"),
      fact("Successor", cert.successorSerialNumber ? h("a", { href: `#/certificates/${cert.successorSerialNumber}` }, cert.successorSerialNumber) : "none")),
    h("div", { class: "actions" },
      download("Download certificate (PEM)", `${cert.serialNumber}.pem`, cert.certificatePem),
      download("Download chain (PEM)", `${cert.serialNumber}-chain.pem`, cert.certificatePem + cert.chainPem),
      revocable ? revokeControl(cert) : null,
      renewable ? renewEarlyControl(cert) : null),
    item ? findingsAndLocations(item) : h("p", { class: "muted" }, "Not in the inventory yet."),
    h("h2", {}, "Chain"),
    h("pre", { class: "pem", tabindex: "0", "aria-label": "Certificate and chain in PEM" }, cert.certificatePem + cert.chainPem));
}

/** An item of the inventory by fingerprint (discovered, in a Key Vault, or issued here). */
export async function inventoryItemPage(fingerprint: string): Promise<void> {
  let item: InventoryItem;
  try {
    item = await api.get<InventoryItem>(`inventory/${encodeURIComponent(fingerprint)}`);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
      show("Certificate not found", message("error", e.message), h("p", {}, h("a", { href: "#/inventory" }, "Back to the inventory")));
      return;
    }
    throw e;
  }
  show(names(item)[0],
    h("dl", { class: "facts" },
      fact("Names", names(item).join(", ")),
      fact("Status", h("span", { class: `status status-${status(item)}` }, status(item))),
      fact("Serial", h("code", {}, item.serialNumber)),
      fact("Fingerprint (SHA-256)", h("code", {}, item.fingerprint)),
      fact("Issuer", item.issuer),
      fact("Not after", `${date(item.notAfter)} (${daysLeft(item.notAfter)} days left)`),
      fact("Team", item.team ?? ""),
      fact("Owner", item.owner ?? ""),
      fact("Source", item.sources.map(s => sourceNames[s] ?? s).join(", ")),
      fact("Key", `${item.keyAlgorithm} ${item.keySize}, signed ${item.signatureAlgorithm}`)),
    item.sources.includes("issued") && can("ReadCertificates")
      ? h("p", {}, h("a", { href: `#/certificates/${item.serialNumber}` }, "Certificate record, chain and actions"))
      : null,
    findingsAndLocations(item));
}

function fact(term: string, value: Node | string): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(h("dt", {}, term), h("dd", {}, value));
  return f;
}

function findingsAndLocations(item: InventoryItem): HTMLElement {
  return h("section", { "aria-label": "Findings and locations" },
    h("h2", {}, "Findings"),
    item.findings.length
      ? h("ul", {}, item.findings.map(f => h("li", {}, h("span", { class: `chip sev-${f.severity}` }, f.code), " ", f.message)))
      : h("p", { class: "muted" }, "None."),
    h("h2", {}, "Seen at"),
    item.locations?.length
      ? h("table", { class: "grid" },
        h("thead", {}, h("tr", {}, ["Location", "Kind", "First seen", "Last seen"].map(c => h("th", { scope: "col" }, c)))),
        h("tbody", {}, item.locations.map(l => h("tr", {}, h("td", {}, l.location), h("td", {}, l.kind), h("td", {}, date(l.firstSeen)), h("td", {}, date(l.lastSeen))))))
      : h("p", { class: "muted" }, "Not seen deployed anywhere yet."));
}

function download(text: string, filename: string, pem: string): HTMLElement {
  const a = h("a", { class: "button secondary", download: filename, href: "#" }, text);
  a.addEventListener("click", () => {
    a.setAttribute("href", URL.createObjectURL(new Blob([pem], { type: "application/x-pem-file" })));
  });
  return a;
}

/** Revoke behind a confirmation naming the certificate and the reason; the API checks permission and team again. */
function revokeControl(cert: Certificate): HTMLElement {
  const reason = h("select", { id: "revoke-reason" }, reasons.map(r => h("option", { value: r }, r)));
  const status = h("div", { "aria-live": "polite" });
  const confirmText = h("p", {});
  const dialog = h("dialog", { "aria-labelledby": "revoke-title" },
    h("h2", { id: "revoke-title" }, "Revoke this certificate?"),
    confirmText,
    h("p", {}, "Revocation is permanent: relying parties that check OCSP or the CRL will refuse it."),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "danger", id: "revoke-confirm", onclick: async () => {
        dialog.close();
        try {
          await api.post(`certificates/${encodeURIComponent(cert.serialNumber)}/revoke`, { reason: reason.value });
          await certificatePage(cert.serialNumber, message("info", `Revoked (${reason.value}).`));
        } catch (e) {
          status.replaceChildren(message("error", e instanceof Error ? e.message : String(e)));
        }
      } }, "Revoke"),
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Cancel")));
  return h("div", { class: "revoke" },
    h("label", { for: "revoke-reason" }, "Reason"), reason,
    h("button", { type: "button", class: "danger", id: "revoke", onclick: () => {
      confirmText.textContent = `Serial ${cert.serialNumber}, reason ${reason.value}.`;
      dialog.showModal();
    } }, "Revoke…"),
    dialog, status);
}

/** The answer of POST /api/certificates/{serial}/renew-early (202). */
interface EarlyRenewal {
  serialNumber: string;
  action: "successor" | "key-vault" | "owner-notice" | "acme-window";
  detail: string;
  requestedAt: string;
  windowStart?: string;
  windowEnd?: string;
}

/**
 * Renew early behind a confirmation: POST /api/certificates/{serial}/renew-early, for a certificate from any front. The
 * API says what follows: a certificate issued through ACME gets its renewal window (RFC 9773) opened, so its client
 * renews it; any other is queued for the renewer, which issues its successor (here or in its Key Vault) or tells its
 * owner to send a CSR. When a successor is on its way the page waits a little for it and then shows it.
 */
function renewEarlyControl(cert: Certificate): HTMLElement {
  const status = h("div", { "aria-live": "polite", id: "renew-early-status" });
  const dialog = h("dialog", { "aria-labelledby": "renew-early-title" },
    h("h2", { id: "renew-early-title" }, "Renew this certificate early?"),
    h("p", {}, `Serial ${cert.serialNumber}. It is renewed now (an ACME certificate: its client is told to renew it at its next check); it stays valid until it expires or someone revokes it.`),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "renew-early-confirm", onclick: async () => {
        dialog.close();
        try {
          const r = await api.post<EarlyRenewal>(`certificates/${encodeURIComponent(cert.serialNumber)}/renew-early`, {});
          status.replaceChildren(message("info", r.detail));
          status.dataset.action = r.action;
          if (r.action === "successor" || r.action === "key-vault") {
            await showSuccessor(cert.serialNumber, status, r.detail);
          }
        } catch (e) {
          status.replaceChildren(message("error", e instanceof Error ? e.message : String(e)));
        }
      } }, "Renew early"),
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Cancel")));
  return h("div", { class: "renew-early" },
    h("button", { type: "button", class: "secondary", id: "renew-early", onclick: () => dialog.showModal() }, "Renew early…"),
    dialog, status);
}

/**
 * Reads the certificate a few times until its successor is issued, then shows the page again with the link; stops as
 * soon as the user has gone to another screen, which it must not draw over.
 */
async function showSuccessor(serial: string, status: HTMLElement, queued: string): Promise<void> {
  const here = location.hash;
  for (let i = 0; i < 15; i++) {
    await new Promise(resolve => setTimeout(resolve, 1000));
    if (location.hash !== here || !status.isConnected) return;
    const now = await api.get<Certificate>(`certificates/${encodeURIComponent(serial)}`);
    if (now.successorSerialNumber) {
      if (location.hash !== here || !status.isConnected) return;
      await certificatePage(serial, message("info", `Renewed early: successor ${now.successorSerialNumber}.`));
      return;
    }
  }
  status.replaceChildren(message("info", `Queued for renewal: ${queued} The successor appears here once issued.`));
}

/** The inventory item of a certificate: its fingerprint is the SHA-256 of its DER. */
async function inventoryOf(pem: string): Promise<InventoryItem | undefined> {
  if (!can("ReadInventory") || !crypto.subtle) return undefined;
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  const fingerprint = Array.from(digest, b => b.toString(16).padStart(2, "0")).join("");
  try {
    return await api.get<InventoryItem>(`inventory/${fingerprint}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}
