"use client";
import { useSearchParams } from "next/navigation";

/** A query parameter (`?id=`): static export pages take ids this way. Needs a <Suspense> boundary. */
export function useQueryParam(name: string): string | null {
  return useSearchParams().get(name);
}
