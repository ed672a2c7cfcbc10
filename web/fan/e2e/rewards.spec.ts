import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { expect, test } from "@playwright/test";

import { buyAndPay, freshFan, signIn } from "./support";

/** SHA-256 of the bytes the local seed uploaded for each demo file, computed by the seed's own code. */
function uploadedDigests(): Record<string, string> {
  const root = resolve(__dirname, "../../..");
  const script =
    "import hashlib, json; from local.seed import MP3, _png; " +
    "print(json.dumps({'wallpaper.png': hashlib.sha256(_png(4, 4)).hexdigest(), 'good-night.mp3': hashlib.sha256(MP3).hexdigest()}))";
  return JSON.parse(execFileSync(resolve(root, ".venv/bin/python"), ["-c", script], { cwd: root }).toString());
}

test("a reward downloads through its signed URL with exactly the bytes the VTuber uploaded", async ({ page, request }) => {
  const fan = await freshFan(request);
  await buyAndPay(request, fan.token, 1);
  await signIn(page, fan.email, "/rewards/");
  await expect(page.getByText("私的利用に限り").first()).toBeVisible(); // the usage terms are on the page
  const card = page.getByTestId("rewards").locator("li").first();
  await expect(card).toBeVisible({ timeout: 30_000 });
  const fileName = ((await card.locator("p.muted").textContent()) ?? "").split("·")[0].trim();
  const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "ダウンロード" }).click()]);
  expect(download.suggestedFilename()).toBe(fileName);
  const bytes = readFileSync(await download.path());
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(uploadedDigests()[fileName]);
});
