"use client";
import { Suspense, type ReactNode } from "react";

import { Loading } from "./Status";

/** Pages that read `?id=` render inside Suspense (static export: useSearchParams needs a boundary). */
export function WithParams({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}
