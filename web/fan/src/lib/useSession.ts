"use client";
import { useEffect, useState } from "react";

import { session } from "./api";

export type AuthState = "unknown" | "signed-in" | "signed-out";

/** The tab's sign-in state; on first use it tries a silent refresh (the HttpOnly cookie) if this browser signed in before. */
export function useAuth(): AuthState {
  const [state, setState] = useState<AuthState>(session.token ? "signed-in" : "unknown");
  useEffect(() => {
    const unsubscribe = session.subscribe((token) => setState(token ? "signed-in" : "signed-out"));
    let live = true;
    session.ensureToken().then((token) => {
      if (live) setState(token ? "signed-in" : "signed-out");
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);
  return state;
}
