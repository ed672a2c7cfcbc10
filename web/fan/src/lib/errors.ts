/** The API's machine-readable error codes as sentences a fan can act on. */
import type { Lang } from "./i18n";

const MESSAGES: Record<string, [string, string]> = {
  ORDER_PENDING: [
    "このガチャにはお支払い待ちのご注文があります。先にお支払いを完了するか、期限切れをお待ちください。",
    "You already have an order of this gacha awaiting payment; finish it first.",
  ],
  SOLD_OUT: ["売り切れのため購入・交換できません。", "Sold out."],
  NOT_ENOUGH_TICKETS: [
    "BOXの残りが10枚未満のため10連は購入できません。単発でお求めください。",
    "Fewer than ten tickets are left in this box: buy single draws instead.",
  ],
  FIRST_TEN_USED: [
    "初回限定10連は利用済みです。通常価格をご確認のうえ、もう一度お試しください。",
    "Your first 10-draw offer was already used; check the usual price and try again.",
  ],
  GACHA_NOT_ON_SALE: ["このガチャは現在販売していません。", "This gacha is not on sale right now."],
  SPENDING_CAP_EXCEEDED: [
    "今月の利用上限を超えるため購入できません。",
    "This purchase would exceed your monthly spending cap.",
  ],
  PAYMENT_METHOD_UNSUPPORTED: ["このお支払い方法は利用できません。", "This payment method is not available."],
  PAYMENT_PROVIDER_UNAVAILABLE: [
    "決済サービスに接続できませんでした。少し待ってからもう一度お試しください（二重に請求されることはありません）。",
    "Could not reach the payment service. Try again in a moment (you will not be charged twice).",
  ],
  IDEMPOTENCY_KEY_REUSED: ["前回と異なる内容で再送されました。画面を再読み込みしてください。", "Please reload the page and try again."],
  RATE_LIMITED: ["操作が多すぎます。少し待ってからお試しください。", "Too many requests. Please wait a moment."],
  INSUFFICIENT_MEDALS: ["メダルが足りません。", "Not enough medals."],
  EXCHANGE_LIMIT_REACHED: ["お一人様の交換上限に達しています。", "You have reached the per-fan limit."],
  EXCHANGE_NOT_OPEN: ["この交換はまだ始まっていません。", "This exchange has not opened yet."],
  EXCHANGE_CLOSED: ["この交換は終了しました。", "This exchange has closed."],
  TRADE_BUSY: ["混み合っています。もう一度お試しください。", "Busy; please try again."],
  INVALID_CREDENTIALS: ["メールアドレスまたはパスワードが正しくありません。", "Wrong email or password."],
  EMAIL_TAKEN: ["このメールアドレスは登録済みです。", "This email is already registered."],
  PASSWORD_POLICY: [
    "パスワードは条件を満たしていません（長さ・文字の種類を確認してください）。",
    "The password does not meet the policy (check length and character kinds).",
  ],
  PASSWORD_TOO_LONG: ["パスワードが長すぎます。", "The password is too long."],
  MFA_CODE_INVALID: ["コードが正しくありません。", "The code is not correct."],
  INVALID_MFA_CHALLENGE: ["有効期限が切れました。もう一度ログインしてください。", "This step expired; sign in again."],
  VALIDATION_FAILED: ["入力内容を確認してください。", "Please check what you entered."],
  UNAUTHORIZED: ["ログインしてください。", "Please sign in."],
  REWARD_NOT_FOUND: ["アイテムが見つかりません。", "Item not found."],
  EMAIL_NOT_VERIFIED: [
    "メールアドレスの確認が済んでいません。確認メールのリンクを開いてから、もう一度お試しください。",
    "Confirm your email address first (follow the link we mailed you), then try again.",
  ],
  LINK_TOKEN_INVALID: [
    "このリンクは無効か、有効期限が切れているか、使用済みです。もう一度お手続きください。",
    "This link is invalid, expired or already used. Please ask for a new one.",
  ],
  PASSWORD_INCORRECT: ["現在のパスワードが正しくありません。", "The current password is not correct."],
  DELETION_BLOCKED: [
    "販売中のガチャがあるため、販売終了まで削除できません。",
    "You have a gacha on sale: the account can be deleted after its sale ends.",
  ],
  MFA_NOT_ENABLED: ["二段階認証は有効になっていません。", "Two-step verification is not on."],
  SESSION_NOT_FOUND: ["この端末はすでにログアウトしています。", "That session has already ended."],
};

export function errorMessage(code: string | null, lang: Lang): string {
  const pair = code ? MESSAGES[code] : undefined;
  if (pair) return pair[lang === "ja" ? 0 : 1];
  return lang === "ja"
    ? `エラーが発生しました（${code ?? "NETWORK"}）。時間をおいてお試しください。`
    : `Something went wrong (${code ?? "NETWORK"}). Please try again later.`;
}
