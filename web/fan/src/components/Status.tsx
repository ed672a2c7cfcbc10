"use client";
import Link from "next/link";
import type { ReactNode } from "react";

import { useI18n } from "@/lib/i18n";
import { useAuth } from "@/lib/useSession";

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="muted">
      {t("loading")}
    </p>
  );
}

export function ErrorBox({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <p role="alert" className="error">
      {children ?? t("error")}
    </p>
  );
}

/** Renders children only for a signed-in fan; otherwise a link to sign in (and back here). */
export function SignedIn({ children }: { children: ReactNode }) {
  const auth = useAuth();
  const { t } = useI18n();
  if (auth === "unknown") return <Loading />;
  if (auth === "signed-out") {
    const back = typeof window === "undefined" ? "/" : window.location.pathname + window.location.search;
    return (
      <p>
        {t("signInNeeded")} <Link href={`/account/signin/?next=${encodeURIComponent(back)}`}>{t("navSignIn")}</Link>
      </p>
    );
  }
  return <>{children}</>;
}
