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

export interface TeamHistogram { team: string; weeks: number[] }

export interface Summary { generatedAt: string; team?: string; tiles: Tile[]; histogram: TeamHistogram[] }

export interface Target {
  id: string; kind: string; host?: string; port?: number; serverName?: string; hosts?: string[]; cidr?: string;
  ports?: number[]; vaultUri?: string; description?: string; createdAt: string; endpoints: number;
}

export interface Sweep {
  id: string; trigger: string; startedAt: string; batches: number; batchesDone: number; endpoints: number; vaults: number;
  complete: boolean; completedAt?: string; certificates: number; outcomes: Record<string, number>; failureCount: number;
  failures: { location: string; outcome: string; message?: string }[];
}

export interface Certificate {
  serialNumber: string; certificatePem: string; chainPem: string; notBefore: string; notAfter: string;
  profile: string; owner: string; status: string; issuerId: string; revokedAt?: string; revocationReason?: string;
  team?: string; predecessorSerialNumber?: string; successorSerialNumber?: string;
}

export interface PendingRequest {
  requestId: string; status: string; profile: string; team: string; owner: string; requestedBy: string;
  commonName?: string; names: string[]; validityDays?: number; createdAt: string; expiresAt: string;
  decidedBy?: string; decidedAt?: string; reason?: string; serialNumber?: string;
}

export interface PendingList { items: PendingRequest[]; continuationToken?: string }

export interface AuditRecord {
  sequence: number; time: string; actor: { id: string; team?: string; authenticationMethod: string };
  action: string; outcome: string; problemType?: string; requestId?: string; serialNumber?: string;
  fingerprint?: string; targetId?: string; detail?: string; hash: string;
}

export interface AuditPage { records: AuditRecord[]; continuationToken?: string; unreadable?: unknown[] }

export interface AuditVerification { ok: boolean; count: number; headSequence: number; headHash: string; break?: { sequence: number; problem: string; detail: string } }

export interface CaKeyHealth { caId: string; role: string; provider: string; reachable: boolean; detail: string }

export interface CrlHealth { caId: string; crl: string; crlNumber?: number; thisUpdate?: string; nextUpdate?: string; status: string }

export interface OcspHealth { caId: string; ok: boolean; detail: string; checkedAt: string }

export interface HealthReport {
  generatedAt: string; caKeys: CaKeyHealth[]; crls: CrlHealth[]; ocsp: OcspHealth[];
  audit: { verifiedAt?: string; ok?: boolean; count?: number; brokenAt?: number };
}

export interface EabCredential {
  kid: string; team: string; owner?: string; createdAt: string; createdBy: string; status: string;
  accountId?: string; boundAt?: string; revokedAt?: string; hmacKey?: string;
}
