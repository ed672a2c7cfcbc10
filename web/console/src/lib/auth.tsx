"use client";
/**
 * Who is signed in to the console: the session (access token in memory, refresh cookie the script cannot
 * read) and `GET /api/me` (roles, whether this token shows MFA). `reload()` refreshes the session first:
 * after an approval the new token carries the VTuber role, so the studio appears without signing out.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

import type { Schemas } from "@oshi/shared";

import { api, session } from "./api";

export type Me = Schemas["MeOut"];
type AuthState = { state: "unknown" | "signed-out" | "signed-in"; me: Me | null; reload: (refresh?: boolean) => Promise<void> };

const AuthContext = createContext<AuthState>({ state: "unknown", me: null, reload: async () => undefined });

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState["state"]>("unknown");
  const [me, setMe] = useState<Me | null>(null);

  const load = useCallback(async (refresh = false) => {
    const token = refresh ? await session.refresh() : await session.ensureToken();
    if (!token) {
      setMe(null);
      setState("signed-out");
      return;
    }
    const { data } = await api.GET("/api/me");
    setMe(data ?? null);
    setState(data ? "signed-in" : "signed-out");
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads from the API; state is set when it answers
    void load();
    return session.subscribe((token) => {
      if (!token) {
        setMe(null);
        setState("signed-out");
      }
    });
  }, [load]);

  return <AuthContext.Provider value={{ state, me, reload: load }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  return useContext(AuthContext);
}

export function hasRole(me: Me | null, role: Schemas["Role"]): boolean {
  return Boolean(me?.roles.includes(role));
}
