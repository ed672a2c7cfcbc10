import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export interface Stack {
  appUrl: string;
  stripeUrl: string;
  komojuUrl: string;
  gachaId: string;
  soldOutGachaId: string;
  accounts: Record<string, { email: string; userId: string; token: string }>;
}

export const stack: Stack = JSON.parse(process.env.OSHI_E2E ?? "{}");
export const DEMO_PASSWORD = "demo-Password-1";
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * Signs in through the UI and lands on `next`. Sign-in is limited to 20 a minute per source IP and every
 * test comes from 127.0.0.1, so the submit waits out RATE_LIMITED (submitSignIn).
 */
export async function signIn(page: Page, email: string, next = "/"): Promise<void> {
  await page.goto(`/account/signin/?next=${encodeURIComponent(next)}`);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード", { exact: true }).fill(DEMO_PASSWORD);
  await submitSignIn(page);
}

/**
 * Presses ログインする on a filled sign-in form until the app leaves the sign-in page. On RATE_LIMITED it
 * waits and tries again, as a person would; any other refusal fails the test.
 */
export async function submitSignIn(page: Page): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await page.getByRole("button", { name: "ログインする" }).click();
    // Done when the app has left the sign-in page (the nav's account link can show earlier).
    const outcome = await Promise.race([
      page
        .waitForURL((url) => !url.pathname.startsWith("/account/signin"), { timeout: 30_000 })
        .then(() => "ok", () => "stuck"),
      page
        .getByText("操作が多すぎます")
        .waitFor({ timeout: 30_000 })
        .then(() => "limited", () => "stuck"),
    ]);
    if (outcome === "ok") return;
    if (outcome === "stuck") throw new Error("sign-in neither left the sign-in page nor said it was rate limited");
    if (attempt >= 6) throw new Error("sign-in stayed rate limited");
    await page.waitForTimeout(10_000);
  }
}

export async function shot(page: Page, name: string, project: string): Promise<void> {
  const dir = process.env.SHOTS_DIR;
  if (dir) await page.screenshot({ path: `${dir}/${project}-${name}.png`, fullPage: true });
}

export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, `axe on ${page.url()}`).toEqual([]);
}

/** A fresh fan through the API (the sign-up UI has its own test). */
export async function registerFan(request: APIRequestContext, birthDate = "1999-05-05"): Promise<string> {
  const email = `fan-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@oshi.local`;
  const response = await request.post(`${stack.appUrl}/api/auth/register`, {
    data: { email, password: DEMO_PASSWORD, display_name: "E2E Fan", birth_date: birthDate, terms_version: "2026-11", accept_terms: true },
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  await verifyEmail(request, email); // buying needs a verified address
  return email;
}

interface Mail {
  to: string[];
  subject: string;
  text: string;
  links: string[];
}

/** The local stack's mailbox (`/_local/mail.json`, newest first): the newest link to `email` containing
 * `fragment`, waiting for the mail to arrive (consumers send asynchronously). */
export async function mailedLink(request: APIRequestContext, email: string, fragment: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const mails = (await (await request.get(`${stack.appUrl}/_local/mail.json`)).json()) as Mail[];
    for (const mail of mails.filter((m) => m.to.includes(email))) {
      const link = mail.links.find((l) => l.includes(fragment));
      if (link) return link;
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
  throw new Error(`no mail to ${email} with a link containing ${fragment}`);
}

/** Follow the sign-up mail's verification link the way its page does (one API call). */
export async function verifyEmail(request: APIRequestContext, email: string): Promise<void> {
  const token = new URL(await mailedLink(request, email, "/account/verify-email")).searchParams.get("token");
  const response = await request.post(`${stack.appUrl}/api/auth/email/verify`, { data: { token } });
  expect(response.status(), await response.text()).toBe(200);
}

export async function bearerFor(request: APIRequestContext, email: string): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const response = await request.post(`${stack.appUrl}/api/auth/login`, { data: { email, password: DEMO_PASSWORD } });
    if (response.status() === 429) {
      await new Promise((wait) => setTimeout(wait, 10_000)); // 20 sign-ins a minute per IP
      continue;
    }
    expect(response.status(), await response.text()).toBe(200);
    return (await response.json()).tokens.access_token as string;
  }
  throw new Error("sign-in stayed rate limited");
}

/** A fresh adult fan and a bearer token for API calls (each test buys as its own fan). */
export async function freshFan(request: APIRequestContext): Promise<{ email: string; token: string }> {
  const email = await registerFan(request);
  return { email, token: await bearerFor(request, email) };
}

/** Buy through the API and pay on the Stripe stand-in (its demo endpoint delivers the signed webhooks). */
export async function buyAndPay(request: APIRequestContext, token: string, count: 1 | 10, gachaId = stack.gachaId): Promise<string> {
  const response = await request.post(`${stack.appUrl}/api/gacha/purchase`, {
    headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": crypto.randomUUID() },
    data: { gacha_id: gachaId, count, provider: "stripe", payment_method: "card" },
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const order = await response.json();
  await payOnStripe(request, order.redirect_url as string);
  return order.order_id as string;
}

export async function payOnStripe(request: APIRequestContext, checkoutUrl: string): Promise<void> {
  const sessionId = new URL(checkoutUrl).pathname.split("/").pop();
  const paid = await request.post(`${stack.stripeUrl}/_demo/pay/${sessionId}?outcome=success`);
  expect(paid.status()).toBe(200);
}
