import { expect, test } from "@playwright/test";

import { DEMO_PASSWORD, expectNoAxeViolations, mailedLink, registerFan, shot, signIn, submitSignIn } from "./support";

const NEW_PASSWORD = "new-Password-2";

// One browser flow of issue 18, on one project (it signs up a new account each run): sign up, follow the
// verification link from the local mailbox, forget the password, reset it from the mailbox, sign in with it.
test("sign up, verify by the mailed link, reset the password by the mailed link", async ({ page, request }, info) => {
  test.skip(info.project.name !== "desktop", "one account flow is enough; the pages' layout is covered by a11y");
  const email = `verify-${Date.now()}@oshi.local`;
  await page.goto("/account/signup/");
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel("表示名").fill("確認するファン");
  await page.getByLabel("生年月日").fill("1999-09-09");
  await page.getByLabel("利用規約とプライバシーポリシーに同意します").check();
  await page.getByRole("button", { name: "登録する" }).click();
  await expect(page.getByText("確認メールを送りました")).toBeVisible();

  await signIn(page, email, "/account/");
  await expect(page.getByText("メールアドレスが未確認です")).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto(await mailedLink(request, email, "/account/verify-email"));
  await expect(page.getByText("メールアドレスを確認しました")).toBeVisible();
  await expectNoAxeViolations(page);
  await shot(page, "verified", info.project.name);
  await page.goto("/account/");
  await expect(page.getByText("ログイン中の端末")).toBeVisible();
  await expect(page.getByText("メールアドレスが未確認です")).toHaveCount(0);

  // Forgot password, from the sign-in page's link.
  await page.getByRole("button", { name: "ログアウト" }).click();
  await page.goto("/account/signin/");
  await page.getByRole("link", { name: "パスワードをお忘れの方" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "パスワードの再設定" })).toBeVisible();
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByRole("button", { name: "再設定リンクを送る" }).click();
  await expect(page.getByText("再設定用のメールを送りました")).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto(await mailedLink(request, email, "/account/reset-password"));
  await page.getByLabel("新しいパスワード").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "パスワードを設定する" }).click();
  await expect(page.getByText("パスワードを再設定しました")).toBeVisible();
  await expectNoAxeViolations(page);

  // The link works once.
  await page.reload();
  await page.getByLabel("新しいパスワード").fill("another-Password-3");
  await page.getByRole("button", { name: "パスワードを設定する" }).click();
  await expect(page.locator("main").getByRole("alert")).toContainText("このリンクは無効");

  await page.goto("/account/signin/");
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード", { exact: true }).fill(NEW_PASSWORD);
  await submitSignIn(page);
});

test("export the data by mail, then delete the account", async ({ page, request }, info) => {
  test.skip(info.project.name !== "desktop", "one account flow is enough");
  const email = await registerFan(request);
  await signIn(page, email, "/account/");
  await page.getByRole("button", { name: "データを請求する" }).click();
  await expect(page.getByText("準備ができたらメールでお知らせします")).toBeVisible();
  const link = await mailedLink(request, email, "/exports/");
  const download = await request.get(link);
  expect(download.status()).toBe(200);
  expect((await download.json()).profile.email).toBe(email);

  await page.locator("#delete-password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "アカウントを削除する" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/"); // the home page, signed out
  await expect(
    page.getByRole("navigation", { name: "メインメニュー" }).getByRole("link", { name: "ログイン" }),
  ).toBeVisible();
  await mailedLink(request, email, "/account/signin/"); // "deletion scheduled: sign in to cancel"
});
