"use client";
/** The landing page of the sign-up mail's link (`?token=`): confirms the address once, then says so. */
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

import { errorCode } from "@oshi/shared";

import { WithParams } from "@/components/Suspended";
import { api, session } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useQueryParam } from "@/lib/useQueryParam";

function VerifyEmail() {
  const { t, lang } = useI18n();
  const token = useQueryParam("token");
  // No token in the link: nothing to send, the answer is known.
  const [state, setState] = useState<"busy" | "done" | string>(token ? "busy" : "LINK_TOKEN_INVALID");
  const started = useRef(false);

  useEffect(() => {
    if (started.current || !token) return; // the link is single use: one request even under StrictMode
    started.current = true;
    api.POST("/api/auth/email/verify", { body: { token } }).then(async ({ data, error }) => {
      if (!data) return setState(errorCode(error) ?? "NETWORK");
      // A signed-in tab picks up the verified address at its next token: take it now.
      if (await session.ensureToken()) await session.refresh();
      setState("done");
    });
  }, [token]);

  return (
    <>
      <h1>{t("verifyEmailTitle")}</h1>
      {state === "busy" ? (
        <p role="status">{t("verifyingEmail")}</p>
      ) : state === "done" ? (
        <p className="ok" role="status">
          {t("emailVerified")}
        </p>
      ) : (
        <p className="error" role="alert">
          {errorMessage(state, lang)}
        </p>
      )}
      <p>
        <Link href="/">{t("navHome")}</Link>
      </p>
    </>
  );
}

export default function VerifyEmailPage() {
  return (
    <WithParams>
      <VerifyEmail />
    </WithParams>
  );
}
