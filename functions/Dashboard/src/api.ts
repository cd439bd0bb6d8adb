// Every call goes to the service's own JSON API with the session cookie (sent by the browser, unreadable here). The
// CSRF token lives in this module's memory only: never in localStorage, sessionStorage or a readable cookie.

export interface Session {
  id: string;
  team?: string;
  roles: string[];
  permissions: string[];
  authenticationMethod: string;
  csrfToken?: string;
  expiresAt?: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

let csrf: string | undefined;
let onUnauthorized: (problem: Problem) => void = () => {};

export const api = {
  /** Called when a call is answered 401 while signed in: the session expired or was ended. */
  set unauthorized(handler: (problem: Problem) => void) {
    onUnauthorized = handler;
  },

  async session(): Promise<Session> {
    const s = await call<Session>("GET", "session", undefined, false);
    csrf = s.csrfToken;
    return s;
  },

  async signIn(apiKey: string): Promise<Session> {
    const s = await call<Session>("POST", "session", { apiKey }, false);
    csrf = s.csrfToken;
    return s;
  },

  async signOut(): Promise<void> {
    try {
      await call("DELETE", "session", undefined, false);
    } finally {
      csrf = undefined;
    }
  },

  get<T>(path: string): Promise<T> {
    return call<T>("GET", path);
  },

  post<T>(path: string, body: unknown): Promise<T> {
    return call<T>("POST", path, body);
  },

  delete(path: string): Promise<void> {
    return call<void>("DELETE", path);
  },
};

async function call<T>(method: string, path: string, body?: unknown, signedIn = true): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const response = await fetch(`/api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const problem: Problem = json ?? { type: "about:blank", title: response.statusText, status: response.status };
    if (response.status === 401 && signedIn) onUnauthorized(problem);
    throw new ApiError(response.status, problem);
  }
  return json as T;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
