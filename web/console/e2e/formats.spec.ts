/**
 * The draw formats in the console, against the real local stack, as the demo VTuber (approved, with two
 * validated library assets: wallpaper.png and good-night.mp3): a box gacha of four tickets with a last-one
 * prize built in the editor (rate inputs gone, the ticket total, the preview from the API, a 422 from the
 * API on its field), saved and loaded back; a ceiling (天井) on a rate gacha with the API's refusal on its
 * field, saved and loaded back; campaigns: a medal multiplier created, an overlapping one refused with its
 * sentence, a first 10-draw discount with a price the API refuses, then cancelled. Axe on every state.
 */
import { expect, test, type BrowserContext, type Page } from "@playwright/test";

import { expectNoAxeViolations, shot, signIn, stack } from "./support";

test.describe.configure({ mode: "serial" });

let context: BrowserContext;
let studio: Page;
const suffix = Date.now().toString(36);
const boxTitle = `E2E BOX ${suffix}`;
const rateTitle = `E2E 天井 ${suffix}`;

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ baseURL: stack.consoleUrl, locale: "ja-JP", timezoneId: "Asia/Tokyo" });
  studio = await context.newPage();
  await signIn(studio, stack.accounts.vtuber.email, "/gachas/");
});

test.afterAll(async () => {
  await context?.close();
});

/** Selects the option(s) of a select (by id) whose text contains `text` (a file name, a gacha's title). */
async function pick(page: Page, id: string, text: string) {
  const select = page.locator(`[id="${id}"]`);
  const value = await select.locator("option", { hasText: text }).getAttribute("value");
  await select.selectOption([value ?? ""]);
}

test("a box gacha: tickets instead of rates, the total, a last-one prize, the API's preview and field error, saved and loaded back", async () => {
  await studio.getByRole("link", { name: "新しいガチャを作る" }).click();
  await expect(studio.getByRole("heading", { level: 1 })).toHaveText("ガチャの編集");
  await studio.getByLabel("形式").selectOption({ label: "BOXガチャ" });
  // A box has no rates, no remainder helper, no total stock, guarantee or ceiling: the box is its stock.
  await expect(studio.getByLabel("提供割合（%・小数点以下4桁まで）")).toHaveCount(0);
  await expect(studio.getByTestId("rate-sum")).toHaveCount(0);
  await expect(studio.getByRole("button", { name: "残りをこの景品に割り当てる" })).toHaveCount(0);
  await expect(studio.getByLabel(/販売する回数の上限/)).toHaveCount(0);
  await expect(studio.getByLabel(/10連の保証/)).toHaveCount(0);
  await expect(studio.getByLabel(/天井/)).toHaveCount(0);

  await studio.getByLabel("タイトル").fill(boxTitle);
  await studio.getByLabel("単発の価格（円・税込）").fill("500");
  await studio.getByLabel("10連の価格（円・税込）").fill("5000");
  await studio.getByLabel("景品名", { exact: true }).fill("A賞 描き下ろし壁紙");
  await studio.getByLabel("レアリティ", { exact: true }).selectOption("SSR");
  await studio.getByLabel("チケット数（枚）").fill("1");
  await pick(studio, "prizes.0.asset_ids", "wallpaper.png");
  await studio.getByRole("button", { name: "景品を追加" }).click();
  await studio.locator('[id="prizes.1.name"]').fill("B賞 おやすみボイス");
  await studio.locator('[id="prizes.1.rarity"]').selectOption("N");
  await studio.locator('[id="prizes.1.tickets"]').fill("3");
  await pick(studio, "prizes.1.asset_ids", "good-night.mp3");
  await expect(studio.getByTestId("ticket-total")).toContainText("合計 4 枚");

  await studio.getByLabel("ラストワン賞を設定する").check();
  await studio.getByLabel("ラストワン賞の景品名").fill("ラストワン賞 特製壁紙");
  await studio.getByLabel("ラストワン賞のレアリティ").selectOption("UR");
  await pick(studio, "last_one.asset_ids", "wallpaper.png");

  // The API computes the box's disclosure: each prize's share of the full box, the tickets, the last one.
  const preview = studio.getByTestId("disclosure-preview");
  await expect(preview.getByTestId("prize-rates")).toContainText("25.0000%");
  await expect(preview.getByTestId("prize-rates")).toContainText("75.0000%");
  await expect(preview.getByTestId("format-facts")).toContainText("全 4 枚");
  await expect(preview.getByTestId("format-facts")).toContainText("ラストワン賞 特製壁紙（UR）");
  await expectNoAxeViolations(studio);
  await shot(studio, "box-editor");

  // A box too large for the API (5,000 tickets at most): its 422 lands on the lineup, then goes away.
  await studio.locator('[id="prizes.1.tickets"]').fill("5000");
  await expect(studio.getByTestId("ticket-total")).toContainText("合計 5,001 枚");
  await expect(studio.locator('[id="prizes-error"]')).toHaveText("BOXのチケットが多すぎます");
  await expect(studio.getByTestId("disclosure-preview")).toHaveCount(0);
  await expectNoAxeViolations(studio);
  await studio.locator('[id="prizes.1.tickets"]').fill("3");
  await expect(studio.locator('[id="prizes-error"]')).toBeHidden();
  await expect(preview.getByTestId("format-facts")).toContainText("全 4 枚");

  await studio.getByRole("button", { name: "下書きを保存" }).click();
  await expect(studio.getByTestId("editor-status")).toHaveText("下書きを保存しました。");
  await expect(studio).toHaveURL(/\/gachas\/edit\/\?id=/);

  // Loaded again from the API: the kind, the tickets and the last-one prize (with its asset) come back.
  await studio.reload();
  await expect(studio.getByLabel("形式")).toHaveValue("box");
  await expect(studio.getByLabel("タイトル")).toHaveValue(boxTitle);
  await expect(studio.locator('[id="prizes.0.tickets"]')).toHaveValue("1");
  await expect(studio.locator('[id="prizes.1.tickets"]')).toHaveValue("3");
  await expect(studio.getByLabel("ラストワン賞を設定する")).toBeChecked();
  await expect(studio.getByLabel("ラストワン賞の景品名")).toHaveValue("ラストワン賞 特製壁紙");
  await expect(studio.getByLabel("ラストワン賞のレアリティ")).toHaveValue("UR");
  const chosen = await studio.locator('[id="last_one.asset_ids"] option:checked').allInnerTexts();
  expect(chosen.map((t) => t.split("（")[0])).toEqual(["wallpaper.png"]);
  await expect(preview.getByTestId("format-facts")).toContainText("全 4 枚");

  // An edit sends it all back (PUT with the loaded version): one more B ticket, the last-one prize kept.
  await studio.locator('[id="prizes.1.tickets"]').fill("4");
  await expect(preview.getByTestId("format-facts")).toContainText("全 5 枚");
  await studio.getByRole("button", { name: "下書きを保存" }).click();
  await expect(studio.getByTestId("editor-status")).toHaveText("下書きを保存しました。");
  await studio.reload();
  await expect(studio.locator('[id="prizes.1.tickets"]')).toHaveValue("4");
  await expect(studio.getByLabel("ラストワン賞の景品名")).toHaveValue("ラストワン賞 特製壁紙");
  await studio.getByRole("navigation").getByRole("link", { name: "ガチャ", exact: true }).click();
  await expect(studio.getByRole("row", { name: new RegExp(boxTitle) })).toContainText("BOXガチャ");
  await expectNoAxeViolations(studio);
});

test("a ceiling (天井) on a rate gacha: the API's refusals on the field, the preview, saved and loaded back", async () => {
  await studio.goto("/gachas/edit/");
  await expect(studio.getByLabel("形式")).toHaveValue("rate");
  await studio.getByLabel("タイトル").fill(rateTitle);
  await studio.getByLabel("単発の価格（円・税込）").fill("300");
  await studio.getByLabel("10連の価格（円・税込）").fill("3000");
  await studio.getByLabel("景品名", { exact: true }).fill("ボイス");
  await studio.getByLabel("レアリティ", { exact: true }).selectOption("N");
  await studio.getByLabel("提供割合（%・小数点以下4桁まで）").fill("99");
  await pick(studio, "prizes.0.asset_ids", "good-night.mp3");
  await studio.getByRole("button", { name: "景品を追加" }).click();
  await studio.locator('[id="prizes.1.name"]').fill("限定壁紙");
  await studio.locator('[id="prizes.1.rarity"]').selectOption("SSR");
  await studio.locator('[id="prizes.1.rate_ppm"]').fill("1");
  await studio.locator('[id="prizes.1.stock"]').fill("5");
  await pick(studio, "prizes.1.asset_ids", "wallpaper.png");
  await studio.getByLabel(/10連の保証/).selectOption("");
  const preview = studio.getByTestId("disclosure-preview");
  await expect(preview.getByTestId("format-facts")).toContainText("天井なし");

  // The ceiling's slot draws only the top rarity, so the API refuses one while that prize is limited.
  await studio.getByLabel(/天井/).fill("100");
  await expect(studio.locator("#ceiling-error")).toHaveText("天井を設定するときは、最高レアリティの景品を数量限定にできません");
  await expectNoAxeViolations(studio);
  await studio.locator('[id="prizes.1.stock"]').fill("");
  await expect(studio.locator("#ceiling-error")).toBeHidden();
  await expect(preview.getByTestId("format-facts")).toContainText("天井100回（SSR）");
  await studio.getByLabel(/天井/).fill("1001");
  await expect(studio.locator("#ceiling-error")).toHaveText("範囲外の値です");
  await studio.getByLabel(/天井/).fill("100");
  await expect(preview.getByTestId("format-facts")).toContainText("天井100回（SSR）");
  await expectNoAxeViolations(studio);

  await studio.getByRole("button", { name: "下書きを保存" }).click();
  await expect(studio.getByTestId("editor-status")).toHaveText("下書きを保存しました。");
  await expect(studio).toHaveURL(/\/gachas\/edit\/\?id=/);
  await studio.reload();
  await expect(studio.getByLabel("タイトル")).toHaveValue(rateTitle);
  await expect(studio.getByLabel(/天井/)).toHaveValue("100");
  await expect(preview.getByTestId("format-facts")).toContainText("天井100回（SSR）");
  await studio.getByRole("navigation").getByRole("link", { name: "ガチャ", exact: true }).click();
  await expect(studio.getByRole("row", { name: new RegExp(rateTitle) })).toContainText("確率ガチャ（天井100回）");
});

test("campaigns: a medal multiplier is created, an overlapping one is refused with its sentence, a discount's price is checked, a campaign is cancelled", async () => {
  await studio.getByRole("navigation").getByRole("link", { name: "キャンペーン" }).click();
  await expect(studio.getByRole("heading", { level: 1 })).toHaveText("キャンペーン");
  await expectNoAxeViolations(studio);

  await studio.getByLabel("キャンペーン名").fill("BOX開店記念 メダル2倍");
  await pick(studio, "c-gacha_id", boxTitle);
  await studio.getByLabel(/メダルの倍率/).fill("2");
  await studio.getByRole("button", { name: "作成する" }).click();
  await expect(studio.getByTestId("campaign-message")).toContainText("キャンペーン「BOX開店記念 メダル2倍」を作成しました。");
  const table = studio.getByTestId("campaigns");
  await expect(table).toContainText("BOX開店記念 メダル2倍");
  await expect(table).toContainText("メダル 2倍");
  await expect(table).toContainText(boxTitle);

  // Another multiplier over the same days on all gachas overlaps it: 409 CAMPAIGN_OVERLAP, as a sentence.
  await studio.getByLabel("キャンペーン名").fill("全ガチャ メダル3倍");
  await studio.getByLabel("対象のガチャ").selectOption({ label: "すべてのガチャ" });
  await studio.getByLabel(/メダルの倍率/).fill("3");
  await studio.getByRole("button", { name: "作成する" }).click();
  await expect(studio.getByTestId("campaign-message")).toHaveText("同じ期間に同じ種類のキャンペーンがすでにあります。期間か対象のガチャを変えてください。");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expectNoAxeViolations(studio);

  // A first 10-draw discount must cost less than the gacha's 10-draw: the API's refusal on its field.
  await studio.getByLabel("種類").selectOption("first_ten_discount");
  await studio.getByLabel("キャンペーン名").fill("初回10連 半額");
  await pick(studio, "c-gacha_id", rateTitle);
  await studio.getByLabel("初回10連の価格（円・税込）").fill("3000");
  await studio.getByRole("button", { name: "作成する" }).click();
  await expect(studio.locator("#c-price_ten-error")).toHaveText("価格が範囲外です");
  await expectNoAxeViolations(studio);
  await studio.getByLabel("初回10連の価格（円・税込）").fill("1500");
  await studio.getByRole("button", { name: "作成する" }).click();
  await expect(studio.getByTestId("campaign-message")).toContainText("キャンペーン「初回10連 半額」を作成しました。");
  await expect(table.locator("tbody tr")).toHaveCount(2);
  await expect(table).toContainText(/初回10連 [¥￥]1,500/);
  await expectNoAxeViolations(studio);
  await shot(studio, "campaigns");

  // Cancelled before it is frozen (it starts tomorrow): confirmed in a dialog, gone from the list.
  await studio.getByRole("button", { name: "「初回10連 半額」を取り消す…" }).click();
  const dialog = studio.getByRole("dialog", { name: "キャンペーンを取り消しますか？" });
  await expect(dialog).toBeVisible();
  await expectNoAxeViolations(studio);
  await dialog.getByRole("button", { name: "取り消す", exact: true }).click();
  await expect(studio.getByTestId("campaign-message")).toHaveText("キャンペーン「初回10連 半額」を取り消しました。");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).not.toContainText("初回10連 半額");
  await expect(table).toContainText("BOX開店記念 メダル2倍");
});
