import { expect, test } from "@playwright/test";

import { buyAndPay, freshFan, signIn } from "./support";

test("under reduced motion the results are shown at once, without the animated sequence", async ({ page, request }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  const fan = await freshFan(request);
  const orderId = await buyAndPay(request, fan.token, 10);
  await signIn(page, fan.email, `/orders/?id=${orderId}`);
  await expect(page.getByTestId("order-status")).toHaveText("完了", { timeout: 30_000 });
  await expect(page.getByTestId("results-grid").locator("li")).toHaveCount(10);
  await expect(page.getByTestId("reveal-stage")).toHaveCount(0);
  await expect(page.getByTestId("results-live")).toContainText("抽選結果:");
  const animations = await page.evaluate(() => document.getAnimations().length);
  expect(animations).toBe(0);
});

test("with motion the 10 cards come one at a time, no faster than one a second, and can be skipped", async ({ page, request }) => {
  const fan = await freshFan(request);
  const orderId = await buyAndPay(request, fan.token, 10);
  await signIn(page, fan.email, `/orders/?id=${orderId}`);
  const stage = page.getByTestId("reveal-stage");
  await expect(stage).toBeVisible({ timeout: 30_000 });
  const position = async () => Number((await stage.locator("p").first().textContent())?.split("/")[0].trim());
  const before = await position();
  await page.waitForTimeout(1000);
  expect((await position()) - before).toBeLessThanOrEqual(1); // one card a step, never a flicker
  await page.getByRole("button", { name: "スキップ" }).click();
  await expect(page.getByTestId("results-grid").locator("li")).toHaveCount(10);
});
