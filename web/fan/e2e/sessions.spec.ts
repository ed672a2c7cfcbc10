/**
 * The refresh-cookie session (FANAPP_CONTRACT.md): the access token lives in memory only, a page load
 * refreshes through the HttpOnly cookie, and two tabs refreshing at once must not sign the fan out
 * (refresh tokens rotate and a reused one revokes the family).
 */
import { expect, test } from "@playwright/test";

import { signIn, stack } from "./support";

test("a reload keeps the session without any token in storage", async ({ page }) => {
  await signIn(page, stack.accounts.fan.email, "/history/");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("購入履歴");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain("eyJ");
  const cookies = await page.context().cookies();
  const refresh = cookies.find((c) => c.name === "oshi_refresh");
  expect(refresh?.httpOnly).toBe(true);
  expect(await page.evaluate(() => document.cookie)).not.toContain("oshi_refresh");
});

test("two tabs refreshing at once both stay signed in", async ({ page, context }) => {
  await signIn(page, stack.accounts.fan.email, "/history/");
  const second = await context.newPage();
  const refreshes: number[] = [];
  for (const tab of [page, second])
    tab.on("response", (r) => {
      if (r.url().endsWith("/api/auth/refresh")) refreshes.push(r.status());
    });
  // Both load at the same moment: each needs an access token and asks for a refresh.
  await Promise.all([page.reload(), second.goto("/history/")]);
  const bothSignedIn = async () => {
    for (const tab of [page, second])
      await tab
        .getByRole("heading", { level: 1, name: "購入履歴" })
        .waitFor({ timeout: 10_000 })
        .catch(() => {
          throw new Error(`a tab was signed out; refresh answers: ${refreshes.join(", ")}`);
        });
  };
  await bothSignedIn();
  // Again, after the rotations: the refresh family was not revoked.
  await Promise.all([page.reload(), second.reload()]);
  await bothSignedIn();
  expect(refreshes.length).toBeGreaterThan(0);
  expect(refreshes.every((status) => status === 200), `refresh answers: ${refreshes.join(", ")}`).toBe(true);
});
