/**
 * The console's story against the real local stack, in order: a new account applies as a VTuber; the
 * admin signs in with a TOTP code computed here and approves; the studio appears without signing out;
 * the VTuber uploads a PNG and an MP3 (progress shown, then accepted) and a renamed executable (rejected
 * with its reason); builds a gacha whose rates sum to exactly 1,000,000 ppm, whose disclosure preview equals
 * what the fan app then shows, and publishes it; a fan buys; the sales page shows the sale; the admin
 * refunds it and the audit log shows the entries with an intact chain that tools/verify_audit.py accepts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { expect, test, type BrowserContext, type Page } from "@playwright/test";

import { bearerFor, buyAndPay, expectNoAxeViolations, register, shot, signIn, stack } from "./support";

const ROOT = resolve(__dirname, "../../..");
// A real 8x8 PNG (the viewer shows it), padded after IEND so the upload's progress has something to show.
const PNG = Buffer.concat([
  Buffer.from(
    "89504e470d0a1a0a0000000d49484452000000080000000808020000004b6d29dc0000001149444154789c63a8d2ebc38a1886960400438a4d81d69cac270000000049454e44ae426082",
    "hex",
  ),
  Buffer.alloc(4096),
]);
const MP3 = Buffer.concat([Buffer.from("494433040000000000", "hex"), Buffer.alloc(8192)]);
const EXE = Buffer.concat([Buffer.from("4d5a90000300000004000000ffff", "hex"), Buffer.alloc(2048)]);

test.describe.configure({ mode: "serial" });

let vtuberContext: BrowserContext;
let adminContext: BrowserContext;
let studio: Page;
let admin: Page;
const channel = `E2Eチャンネル${Date.now().toString(36)}`;
let gachaId = "";
let startsAt = 0;
let order: { orderId: string; amount: number };

test.beforeAll(async ({ browser }) => {
  const options = { baseURL: stack.consoleUrl, locale: "ja-JP", timezoneId: "Asia/Tokyo" };
  vtuberContext = await browser.newContext(options);
  adminContext = await browser.newContext(options);
  studio = await vtuberContext.newPage();
  admin = await adminContext.newPage();
});

test.afterAll(async () => {
  await vtuberContext?.close();
  await adminContext?.close();
});

test("a new account applies; the admin approves with TOTP (and rejects another with a reason); the studio appears without signing out", async ({ request }) => {
  const email = await register(request, "vtuber");
  await signIn(studio, email, "/apply/");
  await expect(studio.getByRole("heading", { level: 1 })).toHaveText("VTuber申請");
  await expectNoAxeViolations(studio);
  await studio.getByLabel("チャンネル名（必須）").fill(channel);
  await studio.getByLabel("チャンネルURL（https://、必須）").fill("not a url");
  await studio.getByRole("button", { name: "申請する" }).click();
  await expect(studio.locator("#channel_url-error")).toBeVisible(); // the API's 422 lands on its field
  await studio.getByLabel("チャンネルURL（https://、必須）").fill("https://youtube.example/@e2e");
  await studio.getByLabel("自己紹介・リンク・サンプル作品").fill("歌とASMRの配信をしています。サンプル: https://example.com/sample");
  await studio.getByRole("button", { name: "申請する" }).click();
  await expect(studio.getByTestId("application-status")).toHaveText("審査中");
  await expectNoAxeViolations(studio);

  // The admin: password, then the TOTP challenge (a code computed in this test from the demo secret).
  await signIn(admin, stack.accounts.admin.email, "/admin/screening/");
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("VTuber審査");
  const card = admin.getByTestId(`applicant-${channel}`);
  await expect(card).toContainText("歌とASMR");
  await expectNoAxeViolations(admin);
  await shot(admin, "screening");
  await card.getByRole("button", { name: `「${channel}」を承認` }).click();
  await expect(admin.getByRole("status").filter({ hasText: "承認しました" })).toBeVisible();

  // Another applicant (through the API) is rejected with a reason the applicant then sees.
  const otherEmail = await register(request, "applicant");
  const otherToken = await bearerFor(request, otherEmail);
  const other = `却下テスト${Date.now().toString(36)}`;
  const applied = await request.post(`${stack.consoleUrl}/api/vtuber/apply`, {
    headers: { Authorization: `Bearer ${otherToken}` },
    data: { channel_name: other, channel_url: "https://youtube.example/@other" },
  });
  expect(applied.status()).toBe(201);
  await admin.reload();
  await admin.getByRole("button", { name: `「${other}」を却下…` }).click();
  const rejectDialog = admin.getByRole("dialog", { name: "申請を却下します" });
  await rejectDialog.getByLabel("理由（必須）").fill("チャンネルの確認ができませんでした");
  await rejectDialog.getByRole("button", { name: "却下する" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "却下しました" })).toBeVisible();
  const state = await (await request.get(`${stack.consoleUrl}/api/vtuber/application`, { headers: { Authorization: `Bearer ${otherToken}` } })).json();
  expect([state.status, state.reason]).toEqual(["rejected", "チャンネルの確認ができませんでした"]);

  // The applicant's page notices the approval and refreshes the session: the studio's menu appears.
  await expect(studio.getByTestId("application-status")).toHaveText("承認済み", { timeout: 20_000 });
  await expect(studio.getByRole("navigation").getByRole("link", { name: "素材ライブラリ" })).toBeVisible();

  // A reload keeps the session through the console's own cookie, which the fan app's origin never gets.
  await studio.reload();
  await expect(studio.getByRole("navigation").getByRole("link", { name: "素材ライブラリ" })).toBeVisible();
  expect(await vtuberContext.cookies(`${stack.consoleUrl}/api/auth/refresh`)).toEqual([expect.objectContaining({ name: "oshi_console_refresh", httpOnly: true, sameSite: "Strict" })]);
  expect(await vtuberContext.cookies(`${stack.appUrl}/api/auth/refresh`)).toEqual([]);
});

test("uploads go straight to storage with progress, then are accepted; a renamed executable is rejected with its reason", async () => {
  await studio.getByRole("navigation").getByRole("link", { name: "素材ライブラリ" }).click();
  await expect(studio.getByRole("heading", { level: 1 })).toHaveText("素材ライブラリ");
  await expect(studio.getByTestId("quota")).toContainText("使用量 0 B");
  await studio.getByLabel(/ファイルを選ぶ/).setInputFiles([
    { name: "art.png", mimeType: "image/png", buffer: PNG },
    { name: "voice.mp3", mimeType: "audio/mpeg", buffer: MP3 },
  ]);
  await expect(studio.locator("progress")).toHaveCount(2);
  await expect(studio.getByText("送信完了（検査待ち）")).toHaveCount(2, { timeout: 20_000 });
  for (const name of ["art.png", "voice.mp3"]) await expect(studio.getByTestId(`asset-${name}`)).toContainText("受理", { timeout: 30_000 });
  expect(await studio.locator("progress").first().getAttribute("value")).toBe(String(PNG.length));
  // The library previews the VTuber's own file through a short-lived signed URL.
  await studio.getByRole("button", { name: "「art.png」を見る" }).click();
  const viewer = studio.getByRole("dialog", { name: "art.png" });
  await expect(viewer.getByRole("img", { name: "art.png" })).toBeVisible();
  await expectNoAxeViolations(studio);
  await viewer.getByRole("button", { name: "閉じる" }).click();
  await expect(viewer).toBeHidden();

  await studio.getByLabel(/ファイルを選ぶ/).setInputFiles([{ name: "setup.png", mimeType: "image/png", buffer: EXE }]);
  const rejected = studio.getByTestId("asset-setup.png");
  await expect(rejected).toContainText("却下", { timeout: 30_000 });
  await expect(rejected).toContainText("ファイルの中身が");
  await expect(studio.getByTestId("quota")).not.toContainText("使用量 0 B");
  await expectNoAxeViolations(studio);
  await shot(studio, "assets");
});

async function pickAsset(page: Page, row: number, filename: string) {
  const select = page.locator(`[id="prizes.${row}.asset_ids"]`);
  const value = await select.locator("option", { hasText: filename }).getAttribute("value");
  await select.selectOption([value ?? ""]);
}

test("the gacha editor: exact ppm, the remainder helper, field errors, the fan's disclosure as preview, publish", async ({ page }) => {
  await studio.getByRole("navigation").getByRole("link", { name: "ガチャ" }).click();
  await studio.getByRole("link", { name: "新しいガチャを作る" }).click();
  await expect(studio.getByRole("heading", { level: 1 })).toHaveText("ガチャの編集");
  await studio.getByLabel("タイトル").fill("E2E ボイスガチャ");
  await studio.getByLabel("単発の価格（円・税込）").fill("300");
  await studio.getByLabel("10連の価格（円・税込）").fill("3001");
  await studio.getByLabel("1回あたりのメダル").fill("2");
  await studio.getByLabel("景品名", { exact: true }).fill("壁紙");
  await studio.getByLabel("レアリティ", { exact: true }).selectOption("N");
  await studio.getByLabel("提供割合（%・小数点以下4桁まで）").fill("66.6667");
  await pickAsset(studio, 0, "art.png");
  await studio.getByRole("button", { name: "景品を追加" }).click();
  await studio.locator('[id="prizes.1.name"]').fill("おやすみボイス");
  await studio.locator('[id="prizes.1.rarity"]').selectOption("SSR");
  await pickAsset(studio, 1, "voice.mp3");
  await expect(studio.getByTestId("rate-sum")).toContainText("66.6667%（666,667 / 1,000,000 ppm）、残り 33.3333%");
  // The remainder goes where the VTuber says, and only when asked.
  await studio.getByLabel("残りを割り当てる景品").selectOption({ label: "景品 2（おやすみボイス）" });
  await studio.getByRole("button", { name: "残りをこの景品に割り当てる" }).click();
  await expect(studio.locator('[id="prizes.1.rate_ppm"]')).toHaveValue("33.3333");
  await expect(studio.getByTestId("rate-sum")).toHaveText("合計 100.0000%（1,000,000 / 1,000,000 ppm）");
  await studio.getByLabel(/10連の保証/).selectOption("SSR");

  // The API's own rule (a 10-draw may not cost more than ten singles) lands on its field.
  await expect(studio.locator("#price_ten-error")).toHaveText("10連の価格は単発10回分以下にしてください");
  await studio.getByLabel("10連の価格（円・税込）").fill("2800");
  await expect(studio.locator("#price_ten-error")).toBeHidden();

  // The sale starts shortly (the fan buys in the next test); typed in Japan time with seconds.
  startsAt = Date.now() + 45_000;
  const jst = new Date(startsAt + 9 * 3_600_000).toISOString().slice(0, 19);
  await studio.getByLabel("販売開始（日本時間）").fill(jst);
  const preview = studio.getByTestId("disclosure-preview");
  await expect(preview.getByTestId("prize-rates")).toContainText("33.3333");
  await expectNoAxeViolations(studio);
  const previewRates = await preview.getByTestId("prize-rates").innerText();

  await studio.getByRole("button", { name: "下書きを保存" }).click();
  await expect(studio.getByTestId("editor-status")).toHaveText("下書きを保存しました。");
  await expect(studio).toHaveURL(/\/gachas\/edit\/\?id=/);
  gachaId = new URL(studio.url()).searchParams.get("id") ?? "";
  await studio.getByRole("button", { name: "公開する…" }).click();
  const dialog = studio.getByRole("dialog", { name: "ガチャを公開しますか？" });
  await expect(dialog).toContainText("固定され");
  await expectNoAxeViolations(studio);
  await dialog.getByRole("button", { name: "公開する", exact: true }).click();
  await expect(studio.getByTestId("gacha-state")).toContainText("公開済み");
  await shot(studio, "editor");

  // The fan app shows exactly the disclosure the editor previewed (same component, same API numbers).
  await page.goto(`${stack.appUrl}/gacha/?id=${gachaId}`);
  await expect(page.getByTestId("prize-rates")).toBeVisible();
  expect(await page.getByTestId("prize-rates").innerText()).toBe(previewRates);
  const fanApi = await (await page.request.get(`${stack.appUrl}/api/gachas/${gachaId}`)).json();
  expect(fanApi.prizes.map((p: { rate_ppm: number }) => p.rate_ppm)).toEqual([666_667, 333_333]);
});

test("exchange items: created, edited and withdrawn before their start", async () => {
  await studio.getByRole("navigation").getByRole("link", { name: "交換アイテム" }).click();
  await expect(studio.getByRole("heading", { level: 1 })).toHaveText("交換アイテム");
  await studio.getByLabel("アイテム名").fill("サイン入り壁紙");
  await studio.getByLabel("必要メダル（1個あたり）").fill("0");
  await studio.getByLabel("渡す素材（受理済み）").selectOption({ label: "art.png" });
  await studio.getByRole("button", { name: "追加する" }).click();
  await expect(studio.locator("#x-cost-error")).toBeVisible(); // the API's rule, on its field
  await studio.getByLabel("必要メダル（1個あたり）").fill("30");
  await studio.getByRole("button", { name: "追加する" }).click();
  await expect(studio.getByTestId("exchange-message")).toHaveText("「サイン入り壁紙」を追加しました。");
  await studio.getByRole("button", { name: "「サイン入り壁紙」を編集" }).click();
  await studio.getByLabel("必要メダル（1個あたり）").fill("45");
  await studio.getByRole("button", { name: "更新する" }).click();
  await expect(studio.getByTestId("exchange-message")).toHaveText("「サイン入り壁紙」を更新しました。");
  await expect(studio.getByTestId("exchange-items")).toContainText("45");
  await expectNoAxeViolations(studio);
  await studio.getByRole("button", { name: "「サイン入り壁紙」を取り下げ…" }).click();
  await studio.getByRole("dialog").getByRole("button", { name: "取り下げる" }).click();
  await expect(studio.getByTestId("exchange-items")).toContainText("（取り下げ済み）");
});

test("a fan buys; the sales page shows the sale per JST day, with a CSV", async ({ request }) => {
  const fanEmail = await register(request, "fan");
  const token = await bearerFor(request, fanEmail);
  await new Promise((wait) => setTimeout(wait, Math.max(0, startsAt - Date.now() + 1_000))); // the sale opens
  order = await buyAndPay(request, token, gachaId, 1);
  expect(order.amount).toBe(300);
  await studio.getByRole("navigation").getByRole("link", { name: "売上" }).click();
  await expect(studio.getByRole("heading", { level: 1 })).toHaveText("売上");
  const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
  await expect(async () => {
    await studio.reload();
    await expect(studio.getByTestId("sales-table")).toContainText(today, { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await expect(studio.getByTestId("sales-table").getByRole("row", { name: new RegExp(today) })).toContainText("￥300");
  await expect(studio.getByTestId("sales-summary")).toContainText("1人");
  await expectNoAxeViolations(studio);
  const download = studio.waitForEvent("download");
  await studio.getByRole("button", { name: "CSVをダウンロード" }).click();
  const csv = await (await download).path();
  expect(execFileSync("cat", [csv]).toString()).toContain(`${today},300,1,1`);
  await shot(studio, "sales");
});

test("the admin refunds the order after a confirmation naming the amount; the audit log's chain is intact and verifies", async () => {
  await admin.getByRole("navigation").getByRole("link", { name: "注文" }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("注文");
  await admin.getByLabel("注文ID", { exact: true }).fill(order.orderId);
  await admin.getByRole("button", { name: "検索" }).click();
  await expect(admin.getByTestId("order-status")).toHaveText("完了", { timeout: 20_000 }).catch(async () => {
    await admin.getByRole("button", { name: "検索" }).click(); // fulfilment may still be running
    await expect(admin.getByTestId("order-status")).toHaveText("完了", { timeout: 20_000 });
  });
  await expectNoAxeViolations(admin);
  await admin.getByRole("button", { name: "返金…" }).click();
  const dialog = admin.getByRole("dialog", { name: "返金の確認" });
  await expect(dialog.getByTestId("refund-amount")).toContainText("￥300");
  await dialog.getByLabel("理由（必須）").fill("E2E: 二重購入の申し出");
  await expectNoAxeViolations(admin);
  for (let i = 0; i < 4; i++) {
    await admin.keyboard.press("Tab"); // focus stays in the dialog (keyboard-complete, no escape to the page)
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await dialog.getByRole("button", { name: "￥300 を返金する" }).focus();
  await admin.keyboard.press("Enter");
  await expect(admin.getByTestId("orders-message")).toContainText("￥300 を返金しました");
  await expect(admin.getByTestId("order-status")).toHaveText("返金済み", { timeout: 20_000 });

  // Suspending the single gacha takes it off sale.
  await admin.getByLabel("ガチャID").fill(gachaId);
  await admin.getByLabel("理由（必須）", { exact: true }).fill("E2E: 権利確認のため一時停止");
  await admin.getByRole("button", { name: "このガチャの販売を停止する" }).click();
  await expect(admin.getByTestId("orders-message")).toHaveText(`ガチャ ${gachaId} の販売を停止しました。`);
  const detail = await admin.request.get(`${stack.appUrl}/api/gachas/${gachaId}`);
  expect(detail.status() === 404 || (await detail.json()).sale_state !== "on_sale").toBe(true);

  await admin.getByRole("navigation").getByRole("link", { name: "監査ログ" }).click();
  await expect(admin.getByTestId("chain-state")).toContainText("チェーンは完全です");
  const table = admin.getByTestId("audit-table");
  // The refund's entry is written with the refund and chained moments later (the audit outbox): until then
  // the page counts it as 連結待ち. Reload as the page invites, until it is in the chain.
  await expect(async () => {
    await admin.getByRole("button", { name: "再読み込み" }).click();
    await expect(table).toContainText("order.refunded", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  for (const action of ["vtuber.applied", "vtuber.approved", "vtuber.rejected", "gacha.created", "gacha.published", "exchange_item.withdrawn"])
    await expect(table).toContainText(action);
  await admin.getByLabel("絞り込み（操作・実行者・対象）").fill("vtuber.approved");
  await expect(table.locator("tbody tr")).not.toHaveCount(0);
  await expectNoAxeViolations(admin);
  const download = admin.waitForEvent("download");
  await admin.getByRole("button", { name: /監査ログをエクスポート/ }).click();
  const file = join(mkdtempSync(join(tmpdir(), "audit-")), "audit.json");
  await (await download).saveAs(file);
  const python = resolve(ROOT, ".venv/bin/python");
  const verdict = execFileSync(python, [resolve(ROOT, "tools/verify_audit.py"), file], { cwd: ROOT }).toString();
  expect(verdict.toLowerCase()).toContain("intact");
  await shot(admin, "audit");
});

test("every console page has no axe violations, signed out and as the admin", async ({ page }) => {
  for (const path of ["/", "/signin/", "/no-such-page/"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoAxeViolations(page);
  }
  for (const path of ["/admin/", "/admin/reports/", "/admin/screening/"]) {
    await admin.goto(path);
    await expect(admin.getByRole("heading", { level: 1 })).toBeVisible();
    await admin.waitForLoadState("networkidle");
    await expectNoAxeViolations(admin);
  }
  await admin.goto("/admin/");
  await expect(admin.getByTestId("mfa-state")).toHaveText("二段階認証済みのセッションです。管理メニューを使えます。");
  // A VTuber is not an admin: the admin pages say so and load nothing.
  await studio.goto("/admin/orders/");
  await expect(studio.getByRole("alert").filter({ hasText: "管理者" })).toHaveText("管理者だけが使えるページです。");
  await expectNoAxeViolations(studio);
});
