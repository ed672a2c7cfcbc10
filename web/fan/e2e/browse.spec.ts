import { expect, test } from "@playwright/test";

import { ppmToPercent } from "../../shared/src/format";

import { shot, stack } from "./support";

test("the catalogue lists the gacha on sale and search finds it", async ({ page }, info) => {
  await page.goto("/");
  const sale = page.getByRole("region", { name: "販売中" });
  await expect(sale.getByRole("link", { name: "Demo: summer voices" })).toBeVisible();
  await expect(sale.getByText(/終了まで: \d+日/).first()).toBeVisible();
  await shot(page, "home", info.project.name);

  await page.getByLabel("ガチャ名・VTuber名").fill("summer");
  await page.getByRole("button", { name: "検索" }).click();
  await expect(page.getByRole("region", { name: "検索結果" }).getByRole("link", { name: "Demo: summer voices" })).toBeVisible();

  await sale.getByRole("link", { name: "Demo: summer voices" }).click();
  await expect(page).toHaveURL(new RegExp(`/gacha/\\?id=${stack.gachaId}`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Demo: summer voices");
});

test("the gacha page shows every rate exactly as the API states it, to the ppm", async ({ page, request }, info) => {
  const api = await (await request.get(`${stack.appUrl}/api/gachas/${stack.gachaId}`)).json();
  await page.goto(`/gacha/?id=${stack.gachaId}`);
  const table = page.getByTestId("prize-rates");
  await expect(table.locator("tbody tr")).toHaveCount(api.prizes.length);
  for (const prize of api.prizes) {
    const row = table.locator(`tr[data-prize-id="${prize.prize_id}"]`);
    await expect(row.getByRole("rowheader")).toHaveText(prize.name);
    await expect(row).toContainText(prize.rarity);
    // The API's text, and the same value re-derived from the integer ppm (no floating point anywhere).
    await expect(row.locator("[data-rate]")).toHaveText(`${prize.rate_percent}%`);
    expect(ppmToPercent(prize.rate_ppm)).toBe(prize.rate_percent);
  }
  const ppmSum = api.prizes.reduce((total: number, p: { rate_ppm: number }) => total + p.rate_ppm, 0);
  expect(ppmSum).toBe(api.rate_table.ppm_total);
  for (const total of api.rarity_totals) {
    await expect(page.getByTestId("rarity-totals")).toContainText(`${total.rarity} ${total.rate_percent}%`);
  }
  const slots = page.getByTestId("slot-rates");
  for (const slot of api.guarantee.slot_rates) {
    await expect(slots.locator(`tr[data-prize-id="${slot.prize_id}"] [data-rate]`)).toHaveText(`${slot.rate_percent}%`);
  }
  await expect(page.getByText("10連で最初の9回にSR以上が出なかった場合")).toBeVisible();
  await expect(page.getByTestId("rarest")).toContainText(api.rarest_prize.single_draws.expected_draws.rounded);
  await expect(page.getByText(/時点の在庫です/)).toBeVisible();
  await expect(page.getByRole("link", { name: "公平性の仕組みと検証情報" })).toHaveAttribute("href", `/fairness/?id=${stack.gachaId}`);
  await expect(page.getByRole("link", { name: /10連を購入手続きへ/ })).toBeVisible();
  await shot(page, "gacha", info.project.name);
});

test("a sold-out gacha says so and offers no purchase", async ({ page }) => {
  await page.goto(`/gacha/?id=${stack.soldOutGachaId}`);
  await expect(page.getByTestId("sale-state")).toHaveText("完売");
  await expect(page.getByRole("link", { name: /購入手続きへ/ })).toHaveCount(0);
  await expect(page.getByTestId("prize-rates")).toBeVisible(); // the rates stay disclosed
});

test("English can be chosen and is remembered", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Switch to English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Gachas");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Gachas");
  await page.getByRole("button", { name: "日本語に切り替え" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "ja");
});

test("an unknown page answers 404 with the app's page", async ({ page }) => {
  const response = await page.goto("/no-such-page/");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("ページが見つかりません");
});

test("at 320 px nothing scrolls sideways", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ["/", `/gacha/?id=${stack.gachaId}`, "/legal/tokushoho/"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});
