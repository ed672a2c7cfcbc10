import { expect, test } from "@playwright/test";

import { buyAndPay, expectNoAxeViolations, freshFan, shot, signIn } from "./support";

test("medals from a 10-draw buy an exchange item through a focus-trapped dialog; refusals are sentences", async ({ page, request }, info) => {
  const fan = await freshFan(request);
  const orderId = await buyAndPay(request, fan.token, 10);
  await signIn(page, fan.email, `/orders/?id=${orderId}`);
  await expect(page.getByTestId("medals-gained")).toContainText("10", { timeout: 30_000 });
  await page.getByRole("navigation", { name: "メインメニュー" }).getByRole("link", { name: "メダル" }).click();
  await expect(page.getByTestId("medal-balance")).toContainText("10");

  const cheap = page.locator("li", { has: page.getByRole("heading", { name: "Thank-you message" }) });
  const exchange = cheap.getByRole("button", { name: "交換する" });
  await exchange.click();
  const dialog = page.getByRole("dialog", { name: "交換の確認" });
  await expect(dialog).toBeVisible();
  await expectNoAxeViolations(page);
  await shot(page, "exchange-dialog", info.project.name);
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await dialog.getByRole("button", { name: "交換を確定" }).click();
  await expect(page.getByText("交換しました。")).toBeVisible();
  await expect(page.getByTestId("medal-balance")).toContainText("5");

  await exchange.click();
  await dialog.getByRole("button", { name: "交換を確定" }).click();
  await expect(page.getByText("お一人様の交換上限に達しています。")).toBeVisible();

  const dear = page.locator("li", { has: page.getByRole("heading", { name: "Special voice pack" }) });
  await dear.getByRole("button", { name: "交換する" }).click();
  await dialog.getByRole("button", { name: "交換を確定" }).click();
  await expect(page.getByText("メダルが足りません。あと995枚必要です。")).toBeVisible();
  await expect(page.getByTestId("medal-balance")).toContainText("5"); // refusals change nothing
});
