/** The API's error codes and field problems as Japanese sentences (the code stays the source of truth). */
import { errorCode } from "@oshi/shared";

const CODES: Record<string, string> = {
  RATE_LIMITED: "操作が多すぎます。少し待ってからお試しください。",
  INVALID_CREDENTIALS: "メールアドレスまたはパスワードが正しくありません。",
  ACCOUNT_LOCKED: "ログインの失敗が続いたため一時的にロックされています。",
  MFA_CODE_INVALID: "コードが正しくありません。",
  INVALID_MFA_CHALLENGE: "有効期限が切れました。もう一度ログインしてください。",
  MFA_REQUIRED: "二段階認証が必要です。",
  VALIDATION_FAILED: "入力内容を確認してください。",
  MFA_NOT_SET_UP: "二段階認証の設定を先に始めてください。",
  MFA_ALREADY_ENABLED: "二段階認証はすでに有効です。",
  VTUBER_STATUS_CONFLICT: "この申請はすでに判断済みです。",
  GACHA_EDIT_CONFLICT: "他の画面で更新されています。再読み込みしてください。",
  ORDER_NOT_FOUND: "注文が見つかりません。",
  ORDER_NOT_REFUNDABLE: "この注文は返金できません。",
  ORDER_NOT_RETRYABLE: "この注文は再処理できません。",
  REFUND_FAILED: "返金に失敗しました。",
  EXCHANGE_ITEM_INVALID: "入力内容を確認してください。",
  EXCHANGE_ITEM_NOT_FOUND: "交換アイテムが見つかりません。",
  PLATFORM_STORAGE_FULL: "現在アップロードを受け付けられません。",
  GACHA_INVALID: "入力内容にルール違反があります。各項目のメッセージを確認してください。",
  VTUBER_NOT_APPROVED: "VTuberとして承認されていません。",
  VTUBER_ALREADY_APPLIED: "すでに申請済みです。",
  STORAGE_QUOTA_EXCEEDED: "保存容量の上限を超えます。",
  GACHA_FROZEN: "販売開始後は編集できません。",
  NOT_FOUND: "見つかりませんでした。",
  FORBIDDEN: "この操作の権限がありません。",
  CSRF_REJECTED: "この画面からは操作できません。",
  GACHA_NOT_FOUND: "ガチャが見つかりません。",
  CAMPAIGN_OVERLAP: "同じ期間に同じ種類のキャンペーンがすでにあります。期間か対象のガチャを変えてください。",
  CAMPAIGN_FROZEN: "開始の10分前を過ぎたキャンペーンは取り消せません。",
  CAMPAIGN_NOT_FOUND: "このキャンペーンは見つかりません。すでに取り消された可能性があります。",
};

export function errorMessage(error: unknown): string {
  const code = errorCode(error);
  return (code && CODES[code]) || (code ? `エラー（${code}）` : "エラーが発生しました。時間をおいてもう一度お試しください。");
}

const KINDS: Record<string, string> = {
  price_out_of_bounds: "価格が範囲外です",
  price_ten_above_singles: "10連の価格は単発10回分以下にしてください",
  out_of_bounds: "範囲外の値です",
  start_in_past: "販売開始は未来の日時にしてください",
  end_before_start: "販売終了は開始より後にしてください",
  window_too_long: "販売期間が長すぎます",
  blank: "入力してください",
  missing: "入力してください",
  asset_count: "素材の数が範囲外です",
  duplicate_asset: "同じ素材が重複しています",
  preview_is_a_reward: "プレビューには景品ファイル以外の素材を使ってください",
  too_many_assets: "素材が多すぎます",
  not_for_box: "BOXガチャでは指定できません（BOXのチケットが在庫です）",
  not_a_box: "BOXガチャでだけ指定できます",
  ceiling_stock: "天井を設定するときは、最高レアリティの景品を数量限定にできません",
  box_too_large: "BOXのチケットが多すぎます",
  unknown_rarity: "レアリティを選んでください",
  start_too_soon: "開始は10分以上先にしてください（開始前に確定します）",
  not_for_kind: "この種類のキャンペーンでは指定できません",
  required: "選んでください",
};

export type FieldProblems = Record<string, string>;

/** `details` of a 422 (GACHA_INVALID or VALIDATION_ERROR) as {"prizes.0.name": "sentence"}. */
export function fieldProblems(error: unknown): FieldProblems {
  const details = (error as { error?: { details?: unknown } } | undefined)?.error?.details;
  const out: FieldProblems = {};
  if (!Array.isArray(details)) return out;
  for (const item of details as { field?: string; message?: string; type?: string }[]) {
    if (!item.field) continue;
    // pydantic writes body fields with a "body." prefix on some paths; the form uses the bare path.
    const field = item.field.replace(/^body\./, "");
    const sentence = (item.type && KINDS[item.type]) || item.message || "入力内容を確認してください";
    out[field] = out[field] ? `${out[field]}／${sentence}` : sentence;
  }
  return out;
}

/**
 * The editor's field ids for the API's problems: an asset problem (`prizes.0.asset_ids.1`) lands on the
 * prize's asset list, and the API names the last-one prize's assets after the lineup (`prizes.<count>.…`).
 */
export function editorProblems(problems: FieldProblems, prizeCount: number): FieldProblems {
  const out: FieldProblems = {};
  const lastOne = `prizes.${prizeCount}.`;
  for (const [key, text] of Object.entries(problems)) {
    let field = key.replace(/\.asset_ids\.\d+$/, ".asset_ids");
    if (field.startsWith(lastOne)) field = `last_one.${field.slice(lastOne.length)}`;
    out[field] = out[field] ? `${out[field]}／${text}` : text;
  }
  return out;
}
