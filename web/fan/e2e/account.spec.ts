import { expect, test } from "@playwright/test";

import { DEMO_PASSWORD, expectNoAxeViolations, shot, submitSignIn } from "./support";

test("a new fan signs up with birth date and terms consent, then signs in and out", async ({ page }, info) => {
  const email = `signup-${Date.now()}-${info.project.name}@oshi.local`;
  await page.goto("/account/signup/");
  await expectNoAxeViolations(page);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel("表示名").fill("新しいファン");
  await page.getByLabel("生年月日").fill("2000-02-29");
  const create = page.getByRole("button", { name: "登録する" });
  await create.click();
  // The browser refuses the form without consent: nothing was sent.
  await expect(page).toHaveURL(/\/account\/signup\/$/);
  await page.getByLabel("利用規約とプライバシーポリシーに同意します").check();
  await shot(page, "signup", info.project.name);
  await create.click();

  await expect(page).toHaveURL(/\/account\/signin\/\?registered=1/);
  await expect(page.getByText("登録しました")).toBeVisible();
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード", { exact: true }).fill(DEMO_PASSWORD);
  await submitSignIn(page);
  await page.getByRole("link", { name: "アカウント" }).click();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByText("2000-02-29")).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("button", { name: "ログアウト" }).click();
  // the menu's link (the account page, if still shown, offers its own "ログイン" link too)
  await expect(
    page.getByRole("navigation", { name: "メインメニュー" }).getByRole("link", { name: "ログイン" }),
  ).toBeVisible();
});

test("a wrong password gets a plain Japanese sentence, not a code", async ({ page }) => {
  await page.goto("/account/signin/");
  await page.getByLabel("メールアドレス").fill("nobody@oshi.local");
  await page.getByLabel("パスワード", { exact: true }).fill("wrong-Password-1");
  await page.getByRole("button", { name: "ログインする" }).click();
  await expect(page.locator("main").getByRole("alert")).toContainText(/メールアドレスまたはパスワードが正しくありません|操作が多すぎます/);
});
