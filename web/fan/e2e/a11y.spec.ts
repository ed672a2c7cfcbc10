/** axe (WCAG 2.0/2.1/2.2 A and AA tags) on every page, with zero violations; keyboard and dialog checks. */
import { expect, test } from "@playwright/test";

import { buyAndPay, freshFan, expectNoAxeViolations, signIn, stack } from "./support";

const PUBLIC_PAGES = [
  "/",
  `/gacha/?id=${stack.gachaId}`,
  `/gacha/?id=${stack.soldOutGachaId}`,
  `/fairness/?id=${stack.gachaId}`,
  "/fairness/",
  "/legal/tokushoho/",
  "/legal/terms/",
  "/legal/privacy/",
  "/contact/",
  "/account/signin/",
  "/account/signup/",
  "/account/forgot-password/",
  "/no-such-page/",
];

test("public pages have no axe violations", async ({ page }) => {
  for (const path of PUBLIC_PAGES) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.waitForLoadState("networkidle");
    await expectNoAxeViolations(page);
  }
  const vtuber = await (await page.request.get(`${stack.appUrl}/api/gachas/${stack.gachaId}`)).json();
  await page.goto(`/vtuber/?id=${vtuber.vtuber_id}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("signed-in pages have no axe violations; the viewer dialog traps focus and gives it back", async ({ page, request }) => {
  const fan = await freshFan(request);
  const orderId = await buyAndPay(request, fan.token, 1);
  await signIn(page, fan.email, `/orders/?id=${orderId}`);
  await expect(page.getByTestId("order-status")).toHaveText("完了", { timeout: 30_000 });
  await page.getByRole("button", { name: "スキップ" }).click().catch(() => undefined); // a single draw may already be done
  await expectNoAxeViolations(page);
  // In-app navigation keeps the in-memory session.
  for (const [link, heading] of [
    ["購入履歴", "購入履歴"],
    ["メダル", "メダル"],
    ["アカウント", "アカウント"],
    ["獲得アイテム", "獲得アイテム"],
  ] as const) {
    await page.getByRole("navigation", { name: "メインメニュー" }).getByRole("link", { name: link }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    await page.waitForLoadState("networkidle");
    await expectNoAxeViolations(page);
  }

  const open = page.getByRole("button", { name: "開く" }).first();
  await open.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expectNoAxeViolations(page);
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();
});
