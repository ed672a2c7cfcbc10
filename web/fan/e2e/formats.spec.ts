import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, stack } from "./support";

/** A box gacha made through the VTuber API, on sale a few seconds later (a sale must start in the future). */
async function boxOnSale(request: import("@playwright/test").APIRequestContext): Promise<string> {
  const auth = { Authorization: `Bearer ${stack.accounts.vtuber.token}` };
  const assets = await (await request.get(`${stack.appUrl}/api/vtuber/assets`, { headers: auth })).json();
  const asset = assets.items.find((a: { status: string }) => a.status === "validated").asset_id;
  const starts = new Date(Date.now() + 4_000);
  const created = await request.post(`${stack.appUrl}/api/vtuber/gacha/create`, {
    headers: auth,
    data: {
      title: "一番くじ: browser box",
      kind: "box",
      price_single: 500,
      price_ten: 5000,
      starts_at: starts.toISOString(),
      ends_at: new Date(starts.getTime() + 86_400_000).toISOString(),
      prizes: [
        { name: "A賞", rarity: "UR", tickets: 1, asset_ids: [asset] },
        { name: "B賞", rarity: "R", tickets: 2, asset_ids: [asset] },
      ],
      last_one: { name: "ラストワン賞", rarity: "UR", asset_ids: [asset] },
      publish: true,
    },
  });
  expect(created.status()).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, Math.max(starts.getTime() - Date.now() + 500, 0)));
  return (await created.json()).gacha_id;
}

test("a box gacha shows its tickets left and its last-one prize, and offers no 10-draw with 3 left", async ({ page, request }) => {
  const id = await boxOnSale(request);
  await page.goto(`/gacha/?id=${id}`);
  await expect(page.getByRole("heading", { name: "BOXの残り" })).toBeVisible();
  await expect(page.getByTestId("box-remaining")).toContainText("残り 3 / 3 枚");
  await expect(page.getByTestId("box").locator('tr[data-prize-id="p01"]')).toContainText("1 / 1");
  // the rate table's 残り column is the prize's tickets left, never 無制限
  await expect(page.getByTestId("prize-rates").locator('tr[data-prize-id="p01"]')).toContainText("1 / 1");
  await expect(page.getByTestId("prize-rates")).not.toContainText("無制限");
  await expect(page.getByTestId("last-one")).toContainText("ラストワン賞");
  await expect(page.getByRole("link", { name: /単発/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /10連を購入手続きへ/ })).toHaveCount(0);
  await expectNoAxeViolations(page);
});
