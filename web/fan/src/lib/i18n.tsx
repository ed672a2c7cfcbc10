"use client";
/**
 * Japanese first, English on request: a small dictionary, the choice kept in localStorage. The exported
 * HTML is Japanese (`<html lang="ja">`); switching re-renders and updates the document's lang.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

export type Lang = "ja" | "en";
const STORAGE_KEY = "oshi-lang";

const DICT = {
  siteName: ["推しガチャ", "Oshi Gacha"],
  skipToContent: ["本文へ移動", "Skip to content"],
  navHome: ["ホーム", "Home"],
  navHistory: ["購入履歴", "Orders"],
  navRewards: ["獲得アイテム", "My items"],
  navMedals: ["メダル", "Medals"],
  navAccount: ["アカウント", "Account"],
  navSignIn: ["ログイン", "Sign in"],
  navSignUp: ["新規登録", "Sign up"],
  language: ["English", "日本語"],
  languageLabel: ["Switch to English", "日本語に切り替え"],
  loading: ["読み込み中…", "Loading…"],
  error: ["エラーが発生しました。時間をおいてもう一度お試しください。", "Something went wrong. Please try again later."],
  notFound: ["見つかりませんでした。", "Not found."],
  signInNeeded: ["この画面を見るにはログインしてください。", "Please sign in to see this page."],
  // home
  catalogue: ["ガチャ一覧", "Gachas"],
  onSale: ["販売中", "On sale"],
  upcoming: ["近日開始", "Coming soon"],
  endingSoon: ["まもなく終了", "Ending soon"],
  vtubers: ["VTuber", "VTubers"],
  search: ["検索", "Search"],
  searchLabel: ["ガチャ名・VTuber名", "Gacha or VTuber name"],
  sortLabel: ["並び順", "Sort"],
  sortEnding: ["終了が近い順", "Ending soon"],
  sortStarts: ["開始が近い順", "Starting soon"],
  sortNewest: ["新着順", "Newest"],
  sortPriceAsc: ["価格の安い順", "Price: low to high"],
  sortPriceDesc: ["価格の高い順", "Price: high to low"],
  results: ["検索結果", "Results"],
  none: ["該当するものはありません。", "Nothing here yet."],
  startsIn: ["開始まで", "Starts in"],
  endsIn: ["終了まで", "Ends in"],
  single: ["単発", "Single"],
  ten: ["10連", "10-draw"],
  // gacha page
  saleState_on_sale: ["販売中", "On sale"],
  saleState_upcoming: ["販売前", "Not yet on sale"],
  saleState_ended: ["販売終了", "Sale ended"],
  saleState_sold_out: ["完売", "Sold out"],
  saleState_suspended: ["販売停止中", "Suspended"],
  salePeriod: ["販売期間", "Sale period"],
  buySingle: ["単発を購入手続きへ", "Buy a single draw"],
  buyTen: ["10連を購入手続きへ", "Buy a 10-draw"],
  byVtuber: ["VTuberのページ", "VTuber's page"],
  medalsPerDraw: ["1回ごとにもらえるメダル", "Medals per draw"],
  // purchase
  confirmTitle: ["ご注文内容の確認", "Confirm your order"],
  item: ["商品", "Item"],
  quantity: ["数量", "Quantity"],
  draws: ["回", "draws"],
  total: ["お支払い金額（税込）", "Total (tax incl.)"],
  paymentMethod: ["お支払い方法", "Payment method"],
  payCard: ["クレジットカード（Stripe）", "Card (Stripe)"],
  payKonbini: ["コンビニ払い（KOMOJU）", "Convenience store (KOMOJU)"],
  payPaypay: ["PayPay（KOMOJU）", "PayPay (KOMOJU)"],
  chargeTime: ["お支払い時期", "When you pay"],
  chargeTimeText: [
    "クレジットカード・PayPay：次の画面で決済を確定した時点。コンビニ払い：お支払い期限までに店頭でお支払いいただいた時点。",
    "Card and PayPay: when you confirm on the next screen. Konbini: when you pay at the store before the deadline.",
  ],
  delivery: ["お引き渡し時期", "Delivery"],
  deliveryText: [
    "お支払いの確認後すぐに抽選し、結果と獲得したデジタルアイテムをこのサイトでお渡しします。",
    "Drawn right after the payment is confirmed; the results and digital items are delivered on this site.",
  ],
  cancellation: ["キャンセル・返金", "Cancellation and refunds"],
  cancellationText: [
    "デジタルコンテンツの性質上、お支払い後の抽選はキャンセル・返品できません。ただし、抽選が実行できなかった場合（在庫切れ・システム障害など）や二重請求などの当社の誤りがあった場合は全額返金します。お支払い前であれば、決済画面を閉じるかコンビニ払いの期限を過ぎると注文は取り消されます。",
    "Paid draws cannot be cancelled or returned (digital content). Exceptions: if the draw cannot run (out of stock, system failure) or we charged you in error, you get a full refund. Before paying, closing the checkout or missing the konbini deadline cancels the order.",
  ],
  linkRates: ["提供割合を見る", "See the drop rates"],
  linkTokushoho: ["特定商取引法に基づく表記", "Legal notice (Specified Commercial Transactions Act)"],
  advanced: ["詳細設定", "Advanced"],
  clientSeed: ["クライアントシード（任意）", "Client seed (optional)"],
  clientSeedHelp: [
    "抽選に混ぜる任意の文字列です。あとで結果を自分で検証できます。",
    "Any text mixed into the draw, so you can verify the result yourself later.",
  ],
  capRemaining: ["今月のご利用可能額（未成年の上限）", "Left this month (minor's cap)"],
  capExceeded: [
    "今月の利用上限を超えるため購入できません。",
    "This purchase would exceed your monthly spending cap.",
  ],
  submitPay: ["支払いに進む（確定）", "Proceed to payment"],
  submitting: ["処理中…", "Processing…"],
  // order
  orderTitle: ["ご注文", "Your order"],
  waitingPayment: ["お支払いをお待ちしています", "Waiting for your payment"],
  konbiniInstructions: ["コンビニでのお支払い方法", "How to pay at the store"],
  payBy: ["お支払い期限", "Pay by"],
  continuePayment: ["決済画面に戻る", "Back to the payment page"],
  drawing: ["抽選中です…", "Drawing…"],
  drawResults: ["抽選結果", "Results"],
  skip: ["スキップ", "Skip"],
  next: ["次へ", "Next"],
  newBadge: ["NEW", "NEW"],
  medalsGained: ["獲得メダル", "Medals gained"],
  share: ["結果をシェア", "Share"],
  shareOnX: ["Xでシェア", "Share on X"],
  orderFailed: ["抽選できませんでした。全額返金されます。", "The draw could not run; you will be refunded in full."],
  orderExpired: ["お支払い期限が過ぎたため、注文は取り消されました。", "The payment deadline passed; the order was cancelled."],
  orderRefunded: ["この注文は返金されました。", "This order was refunded."],
  checkoutCancelled: ["決済は完了していません。", "The payment was not completed."],
  // history
  historyTitle: ["購入履歴", "Order history"],
  status_PENDING_PAYMENT: ["支払い待ち", "Awaiting payment"],
  status_PAID: ["抽選中", "Drawing"],
  status_FULFILLED: ["完了", "Completed"],
  status_FAILED: ["失敗（返金）", "Failed (refunded)"],
  status_EXPIRED: ["期限切れ", "Expired"],
  status_REFUNDED: ["返金済み", "Refunded"],
  verify: ["抽選を検証", "Verify draw"],
  verifyOk: ["検証OK：公開された情報から同じ結果が再現できました。", "Verified: the public data reproduces the same results."],
  verifyMismatch: ["一致しませんでした", "Mismatch"],
  verifyNotRevealed: [
    "サーバーシードはまだ公開されていません。販売終了後に公開され、検証できるようになります。",
    "The server seed is not revealed yet. It is published after the sale ends; you can verify then.",
  ],
  verifyUnavailable: ["この画面での検証は準備中です。", "In-browser verification is not available yet."],
  moreOrders: ["さらに表示", "Show more"],
  // rewards
  rewardsTitle: ["獲得アイテム", "My items"],
  filterAll: ["すべて", "All"],
  filterGacha: ["ガチャ", "Gacha"],
  filterExchange: ["交換", "Exchange"],
  open: ["開く", "Open"],
  download: ["ダウンロード", "Download"],
  close: ["閉じる", "Close"],
  usageTerms: [
    "獲得したデジタルアイテムの著作権はVTuber（権利者）に帰属します。私的利用に限りご利用いただけます。転売・再配布・SNS等への転載は禁止です。",
    "The VTuber keeps the copyright of every digital item. Personal use only: no resale, redistribution or reposting.",
  ],
  // medals
  medalsTitle: ["メダル", "Medals"],
  balance: ["残高", "Balance"],
  ledger: ["履歴", "History"],
  shop: ["交換所", "Exchange shop"],
  cost: ["必要メダル", "Cost"],
  perFanLimit: ["お一人様上限", "Limit per fan"],
  stockLeft: ["残り", "Left"],
  exchange: ["交換する", "Exchange"],
  confirmExchange: ["交換の確認", "Confirm exchange"],
  confirm: ["交換を確定", "Confirm"],
  cancel: ["やめる", "Cancel"],
  exchanged: ["交換しました。獲得アイテムから確認できます。", "Exchanged. Find it in My items."],
  kind_earn: ["獲得", "Earned"],
  kind_spend: ["交換", "Spent"],
  kind_clawback: ["返金による回収", "Clawed back (refund)"],
  // account
  signUpTitle: ["新規登録", "Sign up"],
  signInTitle: ["ログイン", "Sign in"],
  email: ["メールアドレス", "Email"],
  password: ["パスワード", "Password"],
  displayName: ["表示名", "Display name"],
  birthDate: ["生年月日", "Birth date"],
  birthDateHelp: [
    "未成年の方は月ごとの利用上限があります。保護者の同意を得てご利用ください。",
    "Minors have a monthly spending cap; please use the site with a guardian's consent.",
  ],
  acceptTerms: ["利用規約とプライバシーポリシーに同意します", "I accept the terms and the privacy policy"],
  termsVersion: ["規約の版", "Terms version"],
  createAccount: ["登録する", "Create account"],
  signIn: ["ログインする", "Sign in"],
  mfaCode: ["認証アプリの6桁のコード", "6-digit code from your authenticator app"],
  verifyCode: ["確認する", "Verify"],
  signOut: ["ログアウト", "Sign out"],
  accountTitle: ["アカウント", "Account"],
  mfaSetup: ["二段階認証の設定", "Set up two-step verification"],
  mfaStart: ["設定を始める", "Start"],
  mfaScan: ["認証アプリでQRコードを読み取り、表示されたコードを入力してください。", "Scan the QR code with an authenticator app and enter the code it shows."],
  mfaSecret: ["手入力用のキー", "Key for manual entry"],
  mfaEnabled: ["二段階認証は有効です。", "Two-step verification is on."],
  registered: [
    "登録しました。確認メールを送りましたので、メール内のリンクを開いてからご購入ください。ログインしてください。",
    "Account created. We mailed you a link: follow it before buying. Please sign in.",
  ],
  // account flows (issue 18)
  verifyEmailTitle: ["メールアドレスの確認", "Confirm your email"],
  verifyingEmail: ["確認しています…", "Confirming…"],
  emailVerified: ["メールアドレスを確認しました。ご購入いただけます。", "Your email address is confirmed. You can buy now."],
  emailNotVerified: [
    "メールアドレスが未確認です。確認メールのリンクを開くまでご購入いただけません。",
    "Your email address is not confirmed yet: follow the link we mailed you before buying.",
  ],
  resendVerification: ["確認メールを再送する", "Send the link again"],
  verificationSent: ["確認メールを送りました。", "We sent you a new link."],
  verificationNotSent: [
    "メールを送れませんでした(送信回数の上限、または配信できないアドレスです)。時間をおいてお試しください。",
    "No mail was sent (too many in the last hour, or the address cannot receive mail). Try again later.",
  ],
  mailSuppressed: [
    "このメールアドレスには配信できませんでした(不達または迷惑メール報告)。お問い合わせください。",
    "Mail to this address bounced or was reported as spam; we no longer send to it. Please contact us.",
  ],
  forgotPassword: ["パスワードをお忘れの方", "Forgot your password?"],
  forgotTitle: ["パスワードの再設定", "Reset your password"],
  forgotHelp: [
    "登録したメールアドレスを入力してください。再設定用のリンクをお送りします(30分有効)。",
    "Enter your account's email address: we will mail you a link (valid for 30 minutes).",
  ],
  sendResetLink: ["再設定リンクを送る", "Send the link"],
  resetRequested: [
    "ご入力のアドレスが登録されていれば、再設定用のメールを送りました。",
    "If that address has an account, we have mailed it a link.",
  ],
  newPassword: ["新しいパスワード", "New password"],
  currentPassword: ["現在のパスワード", "Current password"],
  setNewPassword: ["パスワードを設定する", "Set the password"],
  passwordReset: [
    "パスワードを再設定しました。すべての端末からログアウトしました。新しいパスワードでログインしてください。",
    "Your password was reset and every session signed out. Sign in with the new password.",
  ],
  changePassword: ["パスワードの変更", "Change password"],
  passwordChanged: ["パスワードを変更しました。他の端末からはログアウトしました。", "Password changed; your other sessions were signed out."],
  sessionsTitle: ["ログイン中の端末", "Signed-in sessions"],
  sessionCreated: ["ログイン", "Signed in"],
  sessionLastUsed: ["最終利用", "Last used"],
  sessionClient: ["端末", "Client"],
  sessionIp: ["IPアドレス", "IP address"],
  // Not "ログアウト": the page's own sign-out button is found by that name.
  revokeSession: ["この端末のログインを解除", "End this session"],
  revokeOthers: ["他のすべての端末のログインを解除", "End every other session"],
  othersRevoked: ["他の端末のログインを解除しました。", "Your other sessions were ended."],
  unknownClient: ["不明", "Unknown"],
  changeEmail: ["メールアドレスの変更", "Change email address"],
  newEmail: ["新しいメールアドレス", "New email address"],
  changeEmailSent: [
    "新しいアドレスに確認メールを送りました。リンクを開くと変更が完了します。",
    "We mailed a link to the new address; the change happens when you open it.",
  ],
  recoveryCodesTitle: ["リカバリーコード", "Recovery codes"],
  recoveryCodesHelp: [
    "認証アプリを使えなくなったときに、6桁のコードの代わりに1回ずつ使えます。この画面でしか表示されません。安全な場所に保管してください。",
    "Each works once instead of a 6-digit code if you lose your authenticator. They are shown only now: keep them somewhere safe.",
  ],
  recoveryCodesLeft: ["未使用のリカバリーコード", "Unused recovery codes"],
  regenerateCodes: ["リカバリーコードを作り直す", "Make new recovery codes"],
  disableMfa: ["二段階認証をオフにする", "Turn two-step verification off"],
  mfaCodeOrRecovery: ["認証コードまたはリカバリーコード", "Authenticator or recovery code"],
  mfaDisabled: ["二段階認証をオフにしました。", "Two-step verification is off."],
  exportTitle: ["データのダウンロード", "Download your data"],
  exportHelp: [
    "登録情報・購入履歴・抽選結果・メダル・アイテムなど、お預かりしているデータ一式(JSON)を作成し、ダウンロード用リンクをメールでお送りします。",
    "We build one file (JSON) of everything we hold about you (profile, orders and results, medals, items...) and mail you a download link.",
  ],
  exportRequest: ["データを請求する", "Request my data"],
  exportRequested: ["受け付けました。準備ができたらメールでお知らせします。", "Requested: we will mail you when it is ready."],
  deleteTitle: ["アカウントの削除", "Delete your account"],
  deleteHelp: [
    "30日後に個人データを消去します。それまでにログインすると取り消されます。購入の記録は法令に基づき個人を特定できない形で保管します。獲得アイテムはダウンロードできなくなります。",
    "We erase your personal data after 30 days; signing in before then cancels it. Purchase records are kept as the law requires, without your identity. Your items can no longer be downloaded.",
  ],
  deleteAccount: ["アカウントを削除する", "Delete my account"],
  deleteScheduled: ["削除を受け付けました。ログアウトしました。", "Deletion scheduled; you are signed out."],
  // vtuber
  gachas: ["ガチャ", "Gachas"],
  // footer
  footerTokushoho: ["特定商取引法に基づく表記", "Legal notice"],
  footerTerms: ["利用規約", "Terms"],
  footerPrivacy: ["プライバシーポリシー", "Privacy"],
  footerFairness: ["提供割合と公平性について", "Rates and fairness"],
  footerContact: ["お問い合わせ", "Contact"],
} as const;

export type Key = keyof typeof DICT;

interface I18n {
  lang: Lang;
  t: (key: Key) => string;
  setLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18n>({ lang: "ja", t: (key) => DICT[key][0], setLang: () => {} });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>("ja");
  useEffect(() => {
    // Read after hydration: the exported HTML is Japanese, an English choice applies on load.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (localStorage.getItem(STORAGE_KEY) === "en") setLangState("en");
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({ lang, setLang, t: (key) => DICT[key][lang === "ja" ? 0 : 1] }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** For keys built from API enums (status_*, saleState_*): unknown values fall back to the raw value. */
export function tDynamic(t: I18n["t"], key: string, fallback: string): string {
  return key in DICT ? t(key as Key) : fallback;
}
