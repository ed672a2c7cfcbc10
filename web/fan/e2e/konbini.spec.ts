import { expect, test } from "@playwright/test";

import { registerFan, shot, signIn, stack } from "./support";

test("konbini: the order waits for payment with its deadline, then completes when the store payment lands", async ({ page, request }, info) => {
  const email = await registerFan(request);
  await signIn(page, email, `/purchase/?id=${stack.gachaId}&count=1`);
  await page.getByLabel("コンビニ払い（KOMOJU）").check();
  // Pass the real API's answer through, keeping a copy: the order id, before the browser leaves for KOMOJU.
  let order: { order_id: string; redirect_url: string } | undefined;
  await page.route("**/api/gacha/purchase", async (route) => {
    const response = await route.fetch();
    order = await response.json();
    await route.fulfill({ response });
  });
  await page.getByRole("button", { name: "支払いに進む（確定）：￥300" }).click();
  await page.waitForURL(`${stack.komojuUrl}/**`);
  await expect(page.getByText("KOMOJU stand-in")).toBeVisible();
  expect(order?.order_id).toBeTruthy();

  // Back to the app (KOMOJU's return URL): the refresh cookie keeps the session across the page load.
  await page.goto(`/orders/?id=${order!.order_id}&checkout=done`);
  await expect(page.getByTestId("order-status")).toHaveText("支払い待ち");
  await expect(page.getByRole("heading", { name: "お支払いをお待ちしています" })).toBeVisible();
  await expect(page.getByText(/お支払い期限: \d{4}\/\d{2}\/\d{2}/)).toBeVisible();
  await expect(page.getByRole("link", { name: "決済画面に戻る" })).toHaveAttribute("href", order!.redirect_url);
  await shot(page, "konbini-waiting", info.project.name);

  const sessionId = new URL(order!.redirect_url).pathname.split("/").filter(Boolean)[1];
  const paid = await request.post(`${stack.komojuUrl}/_demo/pay/${sessionId}?outcome=success`);
  expect(paid.status(), await paid.text()).toBe(200);
  await expect(page.getByTestId("order-status")).toHaveText("完了", { timeout: 30_000 }); // the page polls
  await expect(page.getByTestId("reveal-stage").or(page.getByTestId("results-grid"))).toBeVisible();
});
