/**
 * The refresh-cookie session (FANAPP_CONTRACT.md): the access token lives in memory only, a page load
 * refreshes through the HttpOnly cookie, and two tabs refreshing at once must not sign the fan out
 * (refresh tokens rotate and a reused one revokes the family). Skipped until the backend sets the cookie.
 */
import { expect, test } from "@playwright/test";

import { cookieSessions, signIn, stack } from "./support";

test.beforeEach(async ({ request }) => {
  test.skip(!(await cookieSessions(request)), "backend does not set the oshi_refresh cookie yet");
});

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
  const refreshes: string[] = [];
  for (const tab of [page, second]) tab.on("request", (r) => r.url().endsWith("/api/auth/refresh") && refreshes.push(r.url()));
  // Both load at the same moment: each needs an access token and asks for a refresh.
  await Promise.all([page.reload(), second.goto("/history/")]);
  for (const tab of [page, second]) await expect(tab.getByRole("heading", { level: 1 })).toHaveText("購入履歴");
  // Again, after the rotations: the refresh family was not revoked.
  await Promise.all([page.reload(), second.reload()]);
  for (const tab of [page, second]) await expect(tab.getByRole("heading", { level: 1 })).toHaveText("購入履歴");
  expect(refreshes.length).toBeGreaterThan(0);
});
