"""Every mail the platform sends, in Japanese (the default) and English, as a plain-text and an HTML part.

A template is a subject and a body of paragraphs; ``{name}`` fields are filled from the values given, and
a ``link`` value becomes a clickable button in HTML and a bare line in text. Links are absolute to the
configured site URL (``Settings.frontend_url``): ``site_link`` builds them, so no template writes a host.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlencode

from oshi.kernel.settings import get_settings

LOCALES = ("ja", "en")
DEFAULT_LOCALE = "ja"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Template:
    subject: str
    paragraphs: tuple[str, ...]
    link_label: str = ""


_SIGNATURE = {"ja": "推し活ガチャ", "en": "Oshi Gacha"}
_IGNORE = {
    "ja": "このメールに心当たりがない場合は、何もせずに破棄してください。",
    "en": "If you did not ask for this, ignore this mail: nothing will change.",
}

TEMPLATES: dict[str, dict[str, Template]] = {
    "verify_email": {
        "ja": Template(
            "メールアドレスの確認",
            (
                "{name} さん、推し活ガチャへの登録ありがとうございます。",
                "下のリンクからメールアドレスを確認してください(24時間有効、1回限り)。",
            ),
            "メールアドレスを確認する",
        ),
        "en": Template(
            "Confirm your email address",
            (
                "Hello {name}, thank you for signing up to Oshi Gacha.",
                "Confirm your email address with the link below (valid for 24 hours, once).",
            ),
            "Confirm my email address",
        ),
    },
    "change_email": {
        "ja": Template(
            "新しいメールアドレスの確認",
            (
                "{name} さん、このアドレスへの変更が申請されました。",
                "下のリンクを開くと変更が完了します(24時間有効、1回限り)。",
            ),
            "このアドレスに変更する",
        ),
        "en": Template(
            "Confirm your new email address",
            (
                "Hello {name}, a change of your account's email to this address was requested.",
                "Open the link below to complete it (valid for 24 hours, once).",
            ),
            "Use this address",
        ),
    },
    "email_changed": {
        "ja": Template(
            "メールアドレスが変更されました",
            (
                "{name} さん、アカウントのメールアドレスが {new_email} に変更されました。",
                "心当たりがない場合は、すぐにお問い合わせください。",
            ),
        ),
        "en": Template(
            "Your email address was changed",
            (
                "Hello {name}, your account's email address is now {new_email}.",
                "If this was not you, contact us at once.",
            ),
        ),
    },
    "reset_password": {
        "ja": Template(
            "パスワードの再設定",
            (
                "パスワード再設定の申請を受け付けました。",
                "下のリンクから新しいパスワードを設定してください(30分有効、1回限り)。",
            ),
            "パスワードを再設定する",
        ),
        "en": Template(
            "Reset your password",
            (
                "We received a request to reset your password.",
                "Choose a new one with the link below (valid for 30 minutes, once).",
            ),
            "Reset my password",
        ),
    },
    "password_changed": {
        "ja": Template(
            "パスワードが変更されました",
            (
                "{name} さん、アカウントのパスワードが変更され、他の端末からはログアウトしました。",
                "心当たりがない場合は、パスワードを再設定してお問い合わせください。",
            ),
        ),
        "en": Template(
            "Your password was changed",
            (
                "Hello {name}, your account's password was changed and your other sessions were signed out.",
                "If this was not you, reset your password and contact us.",
            ),
        ),
    },
    "receipt": {
        "ja": Template(
            "ご購入ありがとうございます(注文 {order_id})",
            (
                "{name} さん、お支払いを確認しました。",
                "販売者: {seller}\nVTuber: {vtuber}\nガチャ: {gacha}\n回数: {count}回\n金額: ¥{amount}(税込)\n"
                "お支払い方法: {payment_method}\n注文番号: {order_id}\n日時: {date_jst}(日本時間)",
                "抽選結果は注文ページでご覧いただけます。",
            ),
            "注文と抽選結果を見る",
        ),
        "en": Template(
            "Thank you for your purchase (order {order_id})",
            (
                "Hello {name}, we received your payment.",
                "Seller: {seller}\nVTuber: {vtuber}\nGacha: {gacha}\nDraws: {count}\nAmount: JPY {amount} "
                "(tax included)\nPayment method: {payment_method}\nOrder: {order_id}\nDate: {date_jst} (JST)",
                "Your draw results are on the order's page.",
            ),
            "See the order and its results",
        ),
    },
    "refund": {
        "ja": Template(
            "返金のお知らせ(注文 {order_id})",
            (
                "{name} さん、注文 {order_id} の ¥{amount} を返金しました。",
                "理由: {reason}\n返金はお支払い方法に戻ります(反映まで数日かかる場合があります)。",
            ),
            "注文を見る",
        ),
        "en": Template(
            "Refund of order {order_id}",
            (
                "Hello {name}, JPY {amount} of order {order_id} was refunded.",
                "Reason: {reason}\nThe money goes back to your payment method (this can take a few days).",
            ),
            "See the order",
        ),
    },
    "vtuber_approved": {
        "ja": Template(
            "VTuber登録が承認されました",
            ("{name} さん、{channel} のVTuber登録が承認されました。", "ガチャの作成を始められます。"),
            "VTuber管理画面を開く",
        ),
        "en": Template(
            "Your VTuber application was approved",
            ("Hello {name}, {channel} is approved as a VTuber.", "You can start creating gachas."),
            "Open the VTuber pages",
        ),
    },
    "vtuber_rejected": {
        "ja": Template(
            "VTuber登録の審査結果",
            ("{name} さん、{channel} のVTuber登録は今回は承認されませんでした。", "理由: {reason}"),
        ),
        "en": Template(
            "About your VTuber application",
            ("Hello {name}, the application of {channel} was not approved this time.", "Reason: {reason}"),
        ),
    },
    "export_ready": {
        "ja": Template(
            "データのダウンロード準備ができました",
            (
                "{name} さん、ご依頼のデータ(JSON)の準備ができました。",
                "下のリンクからダウンロードしてください(有効期限 {hours} 時間)。",
            ),
            "データをダウンロード",
        ),
        "en": Template(
            "Your data is ready",
            (
                "Hello {name}, the copy of your data (JSON) you asked for is ready.",
                "Download it with the link below (valid for {hours} hours).",
            ),
            "Download my data",
        ),
    },
    "deletion_scheduled": {
        "ja": Template(
            "アカウント削除を受け付けました",
            (
                "{name} さん、アカウント削除の申請を受け付けました。{date_jst}(日本時間)以降に個人データを消去します。",
                "取り消すには、それまでにログインしてください。",
            ),
            "ログインして取り消す",
        ),
        "en": Template(
            "Your account will be deleted",
            (
                "Hello {name}, we will erase your personal data after {date_jst} (JST).",
                "To cancel, sign in before then.",
            ),
            "Sign in to cancel",
        ),
    },
}


def site_link(path: str, **query: str) -> str:
    """An absolute link into the fan app (``Settings.frontend_url``)."""
    base = get_settings().frontend_url.rstrip("/")
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def locale_of(value: str | None) -> str:
    return value if value in LOCALES else DEFAULT_LOCALE


def render(kind: str, locale: str | None, *, link: str | None = None, **values: object) -> Rendered:
    lang = locale_of(locale)
    template = TEMPLATES[kind][lang]
    subject = template.subject.format(**values)
    paragraphs = [p.format(**values) for p in template.paragraphs]
    text_parts = [*paragraphs]
    html_parts = ["<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs]
    if link:
        text_parts.append(f"{template.link_label}:\n{link}")
        html_parts.append(
            f'<p><a href="{html.escape(link, quote=True)}">{html.escape(template.link_label)}</a></p>'
        )
    if template.link_label:
        text_parts.append(_IGNORE[lang])
        html_parts.append(f"<p>{html.escape(_IGNORE[lang])}</p>")
    text_parts.append(f"-- \n{_SIGNATURE[lang]}")
    html_parts.append(f"<p>— {html.escape(_SIGNATURE[lang])}</p>")
    body_html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(subject)}</title>'
        f"</head><body>{''.join(html_parts)}</body></html>"
    )
    return Rendered(subject, "\n\n".join(text_parts) + "\n", body_html)
