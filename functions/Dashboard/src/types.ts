// The shapes of the API's answers that the dashboard reads (camelCase JSON of the C# views).

export interface Finding { code: string; severity: string; message: string; location?: string }

export interface Location {
  location: string; kind: string; position: number; firstSeen: string; lastSeen: string;
  serverName?: string; address?: string; findings: Finding[];
}

export interface InventoryItem {
  fingerprint: string; subject: string; issuer: string; issuerCaId?: string; serialNumber: string;
  notBefore: string; notAfter: string; dnsNames: string[]; ipAddresses: string[];
  keyAlgorithm: string; keySize: number; signatureAlgorithm: string; isCa: boolean;
  sources: string[]; owner?: string; team?: string; findings: Finding[]; locations?: Location[];
}

export interface InventoryList { items: InventoryItem[]; continuationToken?: string }

export interface Tile { id: string; label: string; count: number; filter: Record<string, string> }

export interface Summary { generatedAt: string; team?: string; tiles: Tile[] }

export interface Certificate {
  serialNumber: string; certificatePem: string; chainPem: string; notBefore: string; notAfter: string;
  profile: string; owner: string; status: string; issuerId: string; revokedAt?: string; revocationReason?: string;
  team?: string; predecessorSerialNumber?: string; successorSerialNumber?: string;
}
