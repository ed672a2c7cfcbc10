/** The typed API client: paths and bodies come from `api.d.ts`, generated from docs/openapi.json. */
import createClient from "openapi-fetch";

import type { components, paths } from "./api";
import { CLIENT_HEADER, type Session } from "./session";

export type Schemas = components["schemas"];
export type ApiClient = ReturnType<typeof createApi>;

/**
 * Every request carries `X-Oshi-Client` (the session's client name, "web" or "console") and, when signed
 * in, the bearer token. A 401 on a signed-in request triggers one refresh and one retry (the token may
 * have expired while the tab slept).
 */
export function createApi(session: Session, baseUrl = "") {
  return createClient<paths>({
    baseUrl,
    credentials: "same-origin",
    fetch: async (request: Request) => {
      // The body is read once, so a retry after a refresh sends the very same bytes.
      // No body at all when there is none: fetch would send "" as text/plain, a content type the API refuses.
      const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
      const body = text === "" ? undefined : text;
      const send = (token: string | null): Promise<Response> => {
        const headers = new Headers(request.headers);
        headers.set(CLIENT_HEADER, session.clientName);
        if (token) headers.set("Authorization", `Bearer ${token}`);
        return fetch(request.url, { method: request.method, headers, body, credentials: "same-origin", signal: request.signal });
      };
      const token = await session.ensureToken();
      const response = await send(token);
      if (response.status !== 401 || !token) return response;
      const fresh = await session.refresh();
      return fresh ? send(fresh) : response;
    },
  });
}

/** The API's error body (`{"error": {"code", "message"}}`), or null for anything else. */
export function errorCode(error: unknown): string | null {
  if (error && typeof error === "object" && "error" in error) {
    const info = (error as { error?: { code?: unknown } }).error;
    if (info && typeof info.code === "string") return info.code;
  }
  return null;
}
