import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, registerFan, shot, signIn, stack } from "./support";

test("buy a 10-draw by card, pay on the Stripe stand-in, come back, see the reveal, find it in history", async ({ page, request }, info) => {
  const email = await registerFan(request);
  await signIn(page, email, `/gacha/?id=${stack.gachaId}`);
  await page.getByRole("link", { name: /10連を購入手続きへ/ }).click();

  // The final confirmation screen (特定商取引法 §12-6).
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("ご注文内容の確認");
  await expect(page.getByTestId("quantity")).toHaveText("10連（10回）");
  await expect(page.getByTestId("total")).toHaveText("￥3,000");
  await expect(page.getByRole("heading", { name: "お支払い時期" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "お引き渡し時期" })).toBeVisible();
  await expect(page.getByText(/お支払い後の抽選はキャンセル・返品できません/)).toBeVisible();
  await expect(page.getByRole("link", { name: "提供割合を見る" })).toBeVisible();
  await expect(page.getByRole("link", { name: "特定商取引法に基づく表記" }).first()).toBeVisible();
  await page.getByLabel("クレジットカード（Stripe）").check();
  await page.getByText("詳細設定").click();
  await page.getByLabel("クライアントシード（任意）").fill("my-lucky-seed");
  await expectNoAxeViolations(page);
  await shot(page, "confirm", info.project.name);

  const purchase = page.waitForRequest((r) => r.url().endsWith("/api/gacha/purchase") && r.method() === "POST");
  await page.getByRole("button", { name: "支払いに進む（確定）：￥3,000" }).click();
  const sent = await purchase;
  expect(sent.headers()["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(sent.postDataJSON()).toMatchObject({ count: 10, provider: "stripe", payment_method: "card", client_seed: "my-lucky-seed" });
  await page.waitForURL(/\/checkout\/cs_test_/);
  await expect(page.getByRole("heading", { name: "Stripe stand-in: checkout" })).toBeVisible();
  // The stand-in shows the session's client_reference_id (our order id) and the amount Stripe will charge.
  const orderId = ((await page.locator("dd").first().textContent()) ?? "").trim();
  await expect(page.locator("dd").nth(1)).toHaveText("¥3,000");
  await page.getByRole("button", { name: /Pay ¥3,000 by card/ }).click();

  // Back from the provider (303 to /orders/?id=…&checkout=done): a full page load, and the session
  // survives it through the HttpOnly refresh cookie.
  await page.waitForURL(`**/orders/?id=${orderId}&checkout=done`);
  await expect(page.getByTestId("order-status")).toHaveText("完了", { timeout: 30_000 });
  await expect(page.getByTestId("reveal-stage").or(page.getByTestId("results-grid"))).toBeVisible();
  await page.getByRole("button", { name: "スキップ" }).click();
  const grid = page.getByTestId("results-grid");
  await expect(grid.locator("li")).toHaveCount(10);
  await expect(page.getByTestId("results-live")).toContainText("抽選結果:");
  await expect(grid.getByText("NEW").first()).toBeVisible(); // the first order: every prize is new
  await expect(page.getByTestId("medals-gained")).toContainText("10");
  await expect(page.getByRole("link", { name: "Xでシェア" })).toHaveAttribute("href", /twitter\.com\/intent\/tweet/);
  await expectNoAxeViolations(page);
  await shot(page, "reveal", info.project.name);

  await page.getByRole("link", { name: "購入履歴" }).click();
  const card = page.locator(`[data-order-id="${orderId}"]`);
  await expect(card).toContainText("完了");
  await expect(card.locator("ul li")).toHaveCount(10);
  await card.getByRole("button", { name: "抽選を検証" }).click();
  await expect(card.getByTestId("seed-not-revealed")).toContainText("サーバーシードはまだ公開されていません");
  await shot(page, "history", info.project.name);
  await expectNoAxeViolations(page);
});

test("a minor sees the monthly cap and a purchase over it is refused in Japanese", async ({ page, request }) => {
  const fifteen = new Date();
  fifteen.setFullYear(fifteen.getFullYear() - 15);
  const email = await registerFan(request, fifteen.toISOString().slice(0, 10));
  await signIn(page, email, `/purchase/?id=${stack.gachaId}&count=10`);
  await expect(page.getByTestId("total")).toHaveText("￥3,000");
  await page.getByRole("button", { name: /支払いに進む/ }).click();
  await page.waitForURL(/\/checkout\/cs_test_/); // 3,000 of the 5,000 yen cap, awaiting payment

  // Back to the confirmation (the refresh cookie keeps the session across the full page load).
  await page.goto(`/purchase/?id=${stack.gachaId}&count=10`);
  await expect(page.getByTestId("cap-remaining")).toContainText("￥2,000"); // GET /api/me/spending
  const button = page.getByRole("button", { name: /支払いに進む/ });
  if (await button.isEnabled()) await button.click();
  await expect(page.getByText("今月の利用上限を超えるため購入できません。").first()).toBeVisible();
  await expect(page).toHaveURL(/\/purchase\//);
});

test("a stale link to a sold-out gacha's confirmation offers nothing to submit", async ({ page, request }) => {
  const email = await registerFan(request);
  await signIn(page, email, `/purchase/?id=${stack.soldOutGachaId}&count=1`);
  await expect(page.locator("main").getByRole("alert")).toHaveText("完売");
  await expect(page.getByRole("button", { name: /支払いに進む/ })).toHaveCount(0);
});
