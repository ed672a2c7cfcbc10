/**
 * The signed-in session of a browser tab.
 *
 * - The access token lives only in memory (never in storage: any XSS could read storage).
 * - The refresh token is an HttpOnly cookie scoped to /api/auth that JavaScript never sees; a refresh is
 *   `POST /api/auth/refresh` with `{}` and the `X-Oshi-Client: web` header (the CSRF custom header).
 * - Refresh tokens rotate on every use and a reused one revokes the whole family, so refreshes are
 *   serialised across tabs with Web Locks; the tab that refreshed publishes the new access token on a
 *   BroadcastChannel and the others adopt it instead of refreshing again.
 */

export const CLIENT_HEADER = "X-Oshi-Client";
export const CLIENT_NAME = "web";
/** The console's client name: the API answers it with its own cookie, usable from the console's origin only. */
export const CONSOLE_CLIENT_NAME = "console";
const LOCK_NAME = "oshi-refresh";
const CHANNEL_NAME = "oshi-session";
/** Remembers only *that* this browser signed in (not a secret), so anonymous visitors skip the refresh call. */
const SIGNED_IN_FLAG = "oshi-signed-in";
/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;

export interface TokenPair {
  access_token: string;
  expires_in: number;
}

type Message =
  | { type: "token"; token: string; expiresAt: number }
  | { type: "signed-out" };

export type SessionListener = (token: string | null) => void;

export class Session {
  private access: string | null = null;
  private expiresAt = 0;
  /** Bumped on every token adopted (here or from another tab): tells a queued refresh it is no longer needed. */
  private generation = 0;
  private inTab: Promise<string | null> | null = null;
  private readonly listeners = new Set<SessionListener>();
  private readonly channel: BroadcastChannel | null;

  constructor(
    private readonly baseUrl = "",
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
    /** `X-Oshi-Client`: "web" (fan app) or "console"; each app has its own refresh cookie. */
    readonly clientName: string = CLIENT_NAME,
  ) {
    this.channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL_NAME);
    this.channel?.addEventListener("message", (event: MessageEvent<Message>) => {
      if (event.data.type === "token") this.adopt(event.data.token, event.data.expiresAt);
      else this.forget();
    });
  }

  get token(): string | null {
    return this.access && Date.now() < this.expiresAt ? this.access : null;
  }

  /** True when this browser signed in before: a refresh is worth trying. */
  get maybeSignedIn(): boolean {
    return this.access !== null || storage()?.getItem(SIGNED_IN_FLAG) === "1";
  }

  subscribe(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After sign-in / MFA: keep the access token and tell the other tabs. */
  signedIn(tokens: TokenPair): void {
    storage()?.setItem(SIGNED_IN_FLAG, "1");
    const expiresAt = Date.now() + tokens.expires_in * 1000;
    this.adopt(tokens.access_token, expiresAt);
    this.channel?.postMessage({ type: "token", token: tokens.access_token, expiresAt } satisfies Message);
  }

  /** A valid access token, refreshing first when it is missing or about to expire. */
  async ensureToken(): Promise<string | null> {
    if (this.access && Date.now() < this.expiresAt - EARLY_MS) return this.access;
    if (!this.maybeSignedIn) return null;
    return this.refresh();
  }

  /** Single-flight refresh: one per tab at a time, and one per browser at a time via Web Locks. */
  refresh(): Promise<string | null> {
    if (!this.inTab) {
      const asked = this.generation;
      const run = () => this.refreshLocked(asked);
      const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
      const flight: Promise<string | null> = locks ? (locks.request(LOCK_NAME, run) as unknown as Promise<string | null>) : run();
      this.inTab = flight.finally(() => {
        this.inTab = null;
      });
      return this.inTab;
    }
    return this.inTab;
  }

  private async refreshLocked(asked: number): Promise<string | null> {
    // Another tab refreshed while we waited for the lock: use the token it published.
    if (this.access && this.generation !== asked && Date.now() < this.expiresAt - EARLY_MS) return this.access;
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}/api/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json", [CLIENT_HEADER]: this.clientName },
        body: "{}",
        credentials: "same-origin",
      });
    } catch {
      return null; // offline: keep whatever we have, try again later
    }
    if (!response.ok) {
      this.signedOut(false);
      return null;
    }
    this.signedIn((await response.json()) as TokenPair);
    return this.access;
  }

  /** Sign out here and everywhere: the server clears the cookie and revokes the refresh family. */
  async signOut(): Promise<void> {
    try {
      await this.fetcher(`${this.baseUrl}/api/auth/logout`, {
        method: "POST",
        headers: { "Content-Type": "application/json", [CLIENT_HEADER]: this.clientName },
        body: "{}",
        credentials: "same-origin",
      });
    } finally {
      this.signedOut(true);
    }
  }

  private signedOut(broadcast: boolean): void {
    storage()?.removeItem(SIGNED_IN_FLAG);
    this.forget();
    if (broadcast) this.channel?.postMessage({ type: "signed-out" } satisfies Message);
  }

  private adopt(token: string, expiresAt: number): void {
    this.access = token;
    this.expiresAt = expiresAt;
    this.generation += 1;
    this.listeners.forEach((listener) => listener(token));
  }

  private forget(): void {
    this.access = null;
    this.expiresAt = 0;
    this.listeners.forEach((listener) => listener(null));
  }
}

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
