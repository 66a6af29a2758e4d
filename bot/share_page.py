"""The public share page, its error pages and its JSON form; nothing loads from other hosts.

The one stylesheet is inline and allowed by its hash in the Content-Security-Policy, so the page
needs neither 'unsafe-inline' nor any script.
"""

import base64
import hashlib
from datetime import datetime
from html import escape
from typing import Any

from bot.i18n_texts import share as texts
from services.domain.share_links import ShareLinkRecord
from services.i18n import Message, Translator
from services.share_links import ShareableReport

_CSS = """
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#5b6470;
--line:#e3e6ea;--accent:#2481cc}
@media (prefers-color-scheme:dark){:root{--bg:#15181c;--card:#1f2328;--text:#e8eaed;
--muted:#9aa3ad;--line:#30363d;--accent:#5eaef0}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:960px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:1.6rem;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:32px 0 12px}
.sub{color:var(--muted);margin:0}
.numbers{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;
margin-top:24px}
.number{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px}
.number .value{display:block;font-size:1.5rem;font-weight:650}
.number .label{color:var(--muted);font-size:.9rem}
.charts{display:grid;gap:16px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:12px;
padding:12px}
figure img{display:block;width:100%;height:auto;border-radius:6px;background:#fff}
figcaption{color:var(--muted);font-size:.9rem;margin-top:6px}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);
border-radius:12px}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{padding:10px 12px;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
tr:last-child td{border-bottom:0}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
td.post{min-width:180px;overflow-wrap:anywhere}
a{color:var(--accent)}
.downloads{display:flex;flex-wrap:wrap;gap:8px;padding:0;list-style:none}
.downloads a{display:inline-block;padding:8px 14px;border:1px solid var(--line);border-radius:8px;
background:var(--card);text-decoration:none}
footer{margin-top:40px;color:var(--muted);font-size:.85rem}
.message{max-width:520px;margin:15vh auto;text-align:center}
@media (max-width:480px){th,td{padding:8px}td.post{min-width:140px}.number .value{font-size:1.3rem}}
""".strip()

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


# A 32 px bar-chart icon, so browsers asking for one get it instead of a 404.
FAVICON_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAfklEQVR42mNkwAJUGs/8Z6ABuFNvwoguxkgPi/E5hInel"
    "qPbxUhty2/XGWOIqTadxRkSTAwDDJjoGfTYomLgQ2DEO4CF1il9NApGHTDqgKFbDlAzr49GwagDRh0w6oBB7QCq9wtI7S"
    "ENjijA1mmkV/+QCV/PlR6dU8aB7p4DAFWkLUBokkP4AAAAAElFTkSuQmCC"
)


def _document(t: Translator, title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{t.locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        '<meta name="referrer" content="no-referrer">'
        # Named, so browsers ask for it beside the page (/r/favicon.ico), not at the host's root.
        '<link rel="icon" href="favicon.ico">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def chart_path(token: str, name: str) -> str:
    return f"/r/{token}/charts/{name}.png"


def csv_path(token: str, name: str) -> str:
    return f"/r/{token}/csv/{name}.csv"


def _relative(path: str) -> str:
    # Relative to the page (/r/<token>), so the page works under any PUBLIC_BASE_URL prefix.
    return path.removeprefix("/r/")


def report_page(t: Translator, report: ShareableReport, link: ShareLinkRecord, token: str) -> str:
    """The report in `t`'s language: its owner's, whoever opens it."""
    title = report.channel_title
    handle = f"@{report.channel_username} · " if report.channel_username else ""
    numbers = "".join(
        f'<div class="number"><span class="value">{escape(texts.key_number_value(t, number))}'
        f'</span><span class="label">{escape(t(number.label))}</span></div>'
        for number in report.key_numbers
    )
    charts = "".join(
        f'<figure><img src="{escape(_relative(chart_path(token, name)))}" '
        f'alt="{escape(texts.chart_title(t, name))}" loading="eager">'
        f"<figcaption>{escape(texts.chart_title(t, name))}</figcaption></figure>"
        for name in report.chart_names
    )
    rows = "".join(
        "<tr>"
        f"<td>{escape(texts.post_time(t, post.posted_at))}</td>"
        f'<td class="post">{_post_cell(t, post.text, post.url)}</td>'
        f'<td class="num">{texts.NO_VALUE if post.views is None else t.number(post.views)}</td>'
        f'<td class="num">{t.number(post.reactions)}</td>'
        "</tr>"
        for post in report.top_posts
    )
    posts = (
        f'<div class="table-wrap"><table><thead><tr><th>{t(texts.PAGE_POSTED)}</th>'
        f'<th>{t(texts.PAGE_POST)}</th><th class="num">{t(texts.PAGE_VIEWS)}</th>'
        f'<th class="num">{t(texts.PAGE_REACTIONS)}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        if rows
        else f'<p class="sub">{t(texts.PAGE_NO_POSTS)}</p>'
    )
    downloads = "".join(
        f'<li><a href="{escape(_relative(csv_path(token, name)))}" download>'
        f"{escape(name)}.csv</a></li>"
        for name in report.csv_names
    )
    period = texts.period_text(t, report)
    body = (
        f"<header><h1>{escape(title)}</h1>"
        f'<p class="sub">{escape(handle)}{escape(period)}</p></header>'
        f'<section class="numbers" aria-label="{t(texts.PAGE_KEY_NUMBERS)}">{numbers}</section>'
        + (
            f'<h2>{t(texts.PAGE_CHARTS)}</h2><section class="charts">{charts}</section>'
            if charts
            else ""
        )
        + f"<h2>{t(texts.PAGE_TOP_POSTS)}</h2>{posts}"
        + (
            f'<h2>{t(texts.PAGE_DOWNLOAD)}</h2><ul class="downloads">{downloads}</ul>'
            if downloads
            else ""
        )
        + f"<footer>{t(texts.PAGE_FOOTER, expiry=escape(texts.page_expiry(t, link)))}</footer>"
    )
    return _document(t, f"{title} · {period}", body)


def _post_cell(t: Translator, text: str, url: str | None) -> str:
    shown = escape(texts.post_preview(t, text))
    if url is None:
        return shown
    return f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{shown}</a>'


def _message_page(t: Translator, title: Message, heading: Message, text: Message) -> str:
    return _document(
        t,
        t(title),
        f'<div class="message"><h1>{t(heading)}</h1><p class="sub">{t(text)}</p></div>',
    )


def expired_page(t: Translator) -> str:
    return _message_page(
        t, texts.PAGE_EXPIRED_TITLE, texts.PAGE_EXPIRED_HEADING, texts.PAGE_EXPIRED_TEXT
    )


def not_found_page(t: Translator) -> str:
    return _message_page(
        t, texts.PAGE_NOT_FOUND_TITLE, texts.PAGE_NOT_FOUND_HEADING, texts.PAGE_NOT_FOUND_TEXT
    )


def too_many_requests_page(t: Translator) -> str:
    return _message_page(
        t, texts.PAGE_TOO_MANY_TITLE, texts.PAGE_TOO_MANY_TITLE, texts.PAGE_TOO_MANY_TEXT
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def report_json(
    t: Translator, report: ShareableReport, link: ShareLinkRecord, token: str, base_url: str
) -> Any:
    """The same report for programs: numbers as numbers, files as absolute URLs, labels in
    the owner's language."""
    return {
        "channel": {"title": report.channel_title, "username": report.channel_username},
        "period": {
            "days": report.days,
            "first_day": report.first_day.isoformat(),
            "last_day": report.last_day.isoformat(),
        },
        "key_numbers": [
            {"name": n.name, "label": t(n.label), "value": n.value, "unit": n.unit}
            for n in report.key_numbers
        ],
        "top_posts": [
            {
                "message_id": post.message_id,
                "posted_at": post.posted_at.isoformat(),
                "text": post.text,
                "views": post.views,
                "reactions": post.reactions,
                "url": post.url,
            }
            for post in report.top_posts
        ],
        "charts": [
            {"name": name, "url": base_url + chart_path(token, name)} for name in report.chart_names
        ],
        "csv": [
            {"name": name, "url": base_url + csv_path(token, name)} for name in report.csv_names
        ],
        "expires_at": _iso(link.expires_at),
    }
