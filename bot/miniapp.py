"""The dashboard Mini App at /app: one small page, its stylesheet and its script.

The page loads nothing from other hosts but Telegram's telegram-web-app.js (its address is the
setting TELEGRAM_WEBAPP_SCRIPT_URL, so tests serve a stand-in). Its texts come in every language
the bot speaks; the script picks the user's once the session says which (bot/api/sessions.py).
"""

import hashlib
import json
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.i18n_texts import miniapp as texts
from services.i18n import Catalogs, Language

_STATIC = Path(__file__).parent / "miniapp_static"
ASSETS = {
    "app.js": "text/javascript",
    "app.css": "text/css",
}
# Reached through the site's own path; no caching between versions of the page.
_ASSET_HEADERS = {"Cache-Control": "no-cache"}
PAGE_KEY = web.AppKey("miniapp_page", str)
CSP_KEY = web.AppKey("miniapp_csp", str)
ASSETS_KEY = web.AppKey("miniapp_assets", dict)


# A channel's screens beyond its numbers, each shown while its feature (a Settings flag) is on.
SCREENS = {
    "alerts": "feature_alerts",
    "share_links": "feature_share_links",
    "insights": "feature_insights",
}


def content_security_policy(script_url: str) -> str:
    """Scripts from here and Telegram's script's host only; data from here only."""
    parts = urlsplit(script_url)
    telegram = f"{parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; "
        f"script-src 'self' {telegram}; "
        "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'"
    )


def page_html(
    catalogs: Catalogs,
    *,
    script_url: str,
    asset_versions: dict[str, str],
    features_off: frozenset[str] = frozenset(),
) -> str:
    """The page; every language's texts, and which of its screens are on, ride along as JSON
    the script reads."""
    all_texts = {
        language.value: texts.page_texts(catalogs.translator(language.value))
        for language in Language
    }
    # "</" can't close the data block early: JSON allows "<\/".
    data = json.dumps(all_texts, ensure_ascii=False).replace("</", "<\\/")
    screens = json.dumps({screen: flag not in features_off for screen, flag in SCREENS.items()})
    english = catalogs.translator(Language.EN.value)
    loading = english(texts.PAGE_TEXTS["loading"])
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>{escape(english(texts.TITLE))}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app/app.css?v={asset_versions["app.css"]}">
<script src="{escape(script_url)}"></script>
<script src="/app/app.js?v={asset_versions["app.js"]}" defer></script>
</head>
<body>
<main id="app" aria-live="polite"><p class="hint">{escape(loading)}</p></main>
<script type="application/json" id="texts">{data}</script>
<script type="application/json" id="screens">{screens}</script>
</body>
</html>
"""


async def app_page(request: web.Request) -> web.Response:
    return web.Response(
        text=request.app[PAGE_KEY],
        content_type="text/html",
        headers={
            "Content-Security-Policy": request.app[CSP_KEY],
            "Cache-Control": "no-cache",
            "Referrer-Policy": "no-referrer",
        },
    )


async def app_asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    body = request.app[ASSETS_KEY][name]
    return web.Response(
        body=body, content_type=ASSETS[name], charset="utf-8", headers=_ASSET_HEADERS
    )


def add_routes(
    app: web.Application,
    *,
    catalogs: Catalogs,
    script_url: str,
    features_off: frozenset[str] = frozenset(),
) -> None:
    """The page and its assets; the API it calls is bot.api's (sessions.py signs it in)."""
    assets = {name: (_STATIC / name).read_bytes() for name in ASSETS}
    versions = {name: hashlib.sha256(body).hexdigest()[:12] for name, body in assets.items()}
    app[ASSETS_KEY] = assets
    app[PAGE_KEY] = page_html(
        catalogs, script_url=script_url, asset_versions=versions, features_off=features_off
    )
    app[CSP_KEY] = content_security_policy(script_url)
    app.router.add_get("/app", app_page)
    app.router.add_get("/app/", app_page)
    app.router.add_get(r"/app/{name:app\.(?:js|css)}", app_asset)
