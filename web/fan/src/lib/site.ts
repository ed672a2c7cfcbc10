/**
 * Seller details for the 特定商取引法に基づく表記 page and the footer.
 *
 * DEPLOYER: every value marked 【要設定】 is a placeholder. Replace them with the operator's real details
 * before going live (law: seller name, address, phone, email, responsible person).
 */
export const SITE = {
  name: "推しガチャ",
  termsVersion: "2026-11",
  seller: "【要設定】販売事業者名",
  responsible: "【要設定】運営統括責任者",
  address: "【要設定】所在地（請求があれば遅滞なく開示します）",
  phone: "【要設定】電話番号（請求があれば遅滞なく開示します）",
  email: "【要設定】support@example.invalid",
  hours: "【要設定】受付時間 平日10:00〜18:00",
} as const;

export const PLACEHOLDER_MARK = "【要設定】";
