import { createHmac } from "node:crypto";

import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export interface Stack {
  appUrl: string;
  consoleUrl: string;
  stripeUrl: string;
  totpSecret: string;
  accounts: Record<string, { email: string; userId: string; token: string }>;
}

export const stack: Stack = JSON.parse(process.env.OSHI_E2E ?? "{}");
export const DEMO_PASSWORD = "demo-Password-1";
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), computed here from the demo admin's secret (base32). */
export function totp(secret: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

/**
 * Signs in through the console's UI (and the TOTP step when asked). Sign-in is limited to 20 a minute per
 * source IP: on RATE_LIMITED it waits and tries again, as a person would.
 */
export async function signIn(page: Page, email: string, next = "/"): Promise<void> {
  await page.goto(`/signin/?next=${encodeURIComponent(next)}`);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード", { exact: true }).fill(DEMO_PASSWORD);
  for (let attempt = 0; ; attempt++) {
    await page.getByRole("button", { name: "ログインする" }).click();
    const outcome = await Promise.race([
      page.waitForURL((url) => !url.pathname.startsWith("/signin"), { timeout: 30_000 }).then(() => "ok", () => "stuck"),
      page.getByLabel("確認コード（6桁）").waitFor({ timeout: 30_000 }).then(() => "mfa", () => "stuck"),
      page.getByText("操作が多すぎます").waitFor({ timeout: 30_000 }).then(() => "limited", () => "stuck"),
    ]);
    if (outcome === "ok") return;
    if (outcome === "mfa") {
      // A code is accepted once per 30 s step: use a fresh step's code, not one an earlier test spent.
      await page.getByLabel("確認コード（6桁）").fill(totp(stack.totpSecret));
      await page.getByRole("button", { name: "確認する" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/signin"), { timeout: 30_000 });
      return;
    }
    if (outcome === "stuck") throw new Error("sign-in neither left the sign-in page nor said it was rate limited");
    if (attempt >= 6) throw new Error("sign-in stayed rate limited");
    await page.waitForTimeout(10_000);
  }
}

export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, `axe on ${page.url()}`).toEqual([]);
}

export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.SHOTS_DIR;
  if (dir) await page.screenshot({ path: `${dir}/console-${name}.png`, fullPage: true });
}

/** A fresh account through the API (sign-up is the fan app's page). */
export async function register(request: APIRequestContext, prefix: string): Promise<string> {
  const email = `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@oshi.local`;
  const response = await request.post(`${stack.appUrl}/api/auth/register`, {
    data: { email, password: DEMO_PASSWORD, display_name: "E2E", birth_date: "1995-05-05", terms_version: "2026-11", accept_terms: true },
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  await verifyEmail(request, email); // buying needs a verified address; applying does not mind
  return email;
}

/** Follow the sign-up mail's verification link from the local stack's mailbox (`/_local/mail.json`). */
async function verifyEmail(request: APIRequestContext, email: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const mails = (await (await request.get(`${stack.appUrl}/_local/mail.json`)).json()) as { to: string[]; links: string[] }[];
    const link = mails.filter((m) => m.to.includes(email)).flatMap((m) => m.links).find((l) => l.includes("/account/verify-email"));
    if (link) {
      const response = await request.post(`${stack.appUrl}/api/auth/email/verify`, { data: { token: new URL(link).searchParams.get("token") } });
      expect(response.status(), await response.text()).toBe(200);
      return;
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
  throw new Error(`no verification mail to ${email}`);
}

export async function bearerFor(request: APIRequestContext, email: string): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const response = await request.post(`${stack.appUrl}/api/auth/login`, { data: { email, password: DEMO_PASSWORD } });
    if (response.status() === 429) {
      await new Promise((wait) => setTimeout(wait, 10_000));
      continue;
    }
    expect(response.status(), await response.text()).toBe(200);
    return (await response.json()).tokens.access_token as string;
  }
  throw new Error("sign-in stayed rate limited");
}

/** Buy through the API and pay on the Stripe stand-in (its demo endpoint delivers the signed webhooks). */
export async function buyAndPay(request: APIRequestContext, token: string, gachaId: string, count: 1 | 10): Promise<{ orderId: string; amount: number }> {
  const response = await request.post(`${stack.appUrl}/api/gacha/purchase`, {
    headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": crypto.randomUUID() },
    data: { gacha_id: gachaId, count, provider: "stripe", payment_method: "card" },
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const order = await response.json();
  const sessionId = new URL(order.redirect_url as string).pathname.split("/").pop();
  const paid = await request.post(`${stack.stripeUrl}/_demo/pay/${sessionId}?outcome=success`);
  expect(paid.status()).toBe(200);
  return { orderId: order.order_id as string, amount: order.amount as number };
}
