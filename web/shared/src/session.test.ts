/**
 * Refresh is single-flight: within a tab (one promise) and across tabs (Web Locks). Two Session objects
 * stand for two tabs sharing one lock manager and one BroadcastChannel name, as in a browser.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

import { Session } from "./session";

/** A minimal Web Locks manager: one holder per name, the others queue (what navigator.locks does). */
function fakeLocks() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(callback, callback);
      tails.set(name, run.catch(() => undefined));
      return run;
    },
  };
}

/** The refresh endpoint: counts requests in flight and answers after a short delay. */
function fakeRefreshEndpoint() {
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const fetcher = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    expect(String(url)).toBe("/api/auth/refresh");
    expect(new Headers(init?.headers).get("X-Oshi-Client")).toBe("web");
    expect(init?.body).toBe("{}");
    await new Promise((wait) => setTimeout(wait, 20));
    inFlight -= 1;
    return new Response(JSON.stringify({ access_token: `token-${calls}`, expires_in: 900 }), { status: 200 });
  });
  return { fetcher: fetcher as unknown as typeof fetch, stats: () => ({ calls, maxInFlight }) };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("Session.refresh", () => {
  it("coalesces concurrent refreshes in one tab into one request", async () => {
    const endpoint = fakeRefreshEndpoint();
    const tab = new Session("", endpoint.fetcher);
    const tokens = await Promise.all([tab.refresh(), tab.refresh(), tab.refresh()]);
    expect(tokens).toEqual(["token-1", "token-1", "token-1"]);
    expect(endpoint.stats().calls).toBe(1);
  });

  it("never has two tabs' refreshes in flight at once (a reused refresh token would revoke the family)", async () => {
    vi.stubGlobal("navigator", { locks: fakeLocks() });
    const endpoint = fakeRefreshEndpoint();
    const first = new Session("", endpoint.fetcher);
    const second = new Session("", endpoint.fetcher);
    const [a, b] = await Promise.all([first.refresh(), second.refresh()]);
    expect(endpoint.stats().maxInFlight).toBe(1);
    expect(a).toMatch(/^token-/);
    expect(b).toMatch(/^token-/);
  });

  it("publishes a new token to the other tabs", async () => {
    const endpoint = fakeRefreshEndpoint();
    const first = new Session("", endpoint.fetcher);
    const second = new Session("", endpoint.fetcher);
    const received = new Promise<string | null>((done) => second.subscribe(done));
    await first.refresh();
    expect(await received).toBe("token-1");
    expect(second.token).toBe("token-1");
  });

  it("a refused refresh signs the tab out instead of retrying", async () => {
    const fetcher = vi.fn(async () => new Response("{}", { status: 401 })) as unknown as typeof fetch;
    const tab = new Session("", fetcher);
    tab.signedIn({ access_token: "old", expires_in: 900 });
    expect(await tab.refresh()).toBeNull();
    expect(tab.token).toBeNull();
  });
});
