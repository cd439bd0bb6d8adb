import { InventoryItem } from "./types";

/** The common name of an RFC 4514 subject ("CN=web.internal, O=Example"), if it has one. */
export function commonName(subject: string): string | undefined {
  const match = /(?:^|,\s*)CN=((?:\\.|[^,])*)/.exec(subject);
  return match ? match[1].replace(/\\(.)/g, "$1") : undefined;
}

/** What a person calls the certificate: its common name and SANs, never a bare serial. */
export function names(item: Pick<InventoryItem, "subject" | "dnsNames" | "ipAddresses">): string[] {
  const cn = commonName(item.subject);
  const all = [...(cn ? [cn] : []), ...item.dnsNames, ...item.ipAddresses];
  return [...new Set(all)].length ? [...new Set(all)] : [item.subject || "(no name)"];
}

export const sourceNames: Record<string, string> = { issued: "issued here", endpoint: "discovered", keyvault: "Key Vault", acme: "ACME" };

export function status(item: InventoryItem, now: Date = new Date()): string {
  if (item.findings.some(f => f.code === "revoked")) return "revoked";
  const days = (Date.parse(item.notAfter) - now.getTime()) / 86_400_000;
  if (days < 0) return "expired";
  if (days <= 30) return "expiring";
  return "valid";
}
