"""The public share page over real HTTP: the report, its charts and CSV, and every refusal."""

import csv
import io
import re

import aiohttp
import pytest
from fake_telegram import FakeTelegram
from PIL import Image
from stories import POSTS, channel_with_history, share

from services.charts import SHAREABLE_CHARTS


@pytest.fixture
async def shared(app, tg: FakeTelegram, db, clock):
    return await channel_with_history(app, tg, db, clock)


async def get(http: aiohttp.ClientSession, app, path: str) -> tuple[aiohttp.ClientResponse, bytes]:
    async with http.get(app.app.web_url + path, allow_redirects=False) as response:
        return response, await response.read()


async def test_the_page_shows_the_report_its_charts_and_csv(app, shared, http, db) -> None:
    link = await share(app, shared)

    response, body = await get(http, app, f"/r/{link.token}")

    assert response.status == 200
    assert response.content_type == "text/html"
    page = body.decode()
    assert "<h1>Cooking Daily</h1>" in page
    assert "@cookingdaily · last 7 days" in page
    assert "Subscribers" in page and "1,503" in page  # 1500 + 4 joins − 1 leave
    assert page.index("Sourdough, step by step") < page.index("Our readers&#x27; best pies")
    assert "2,400" in page
    assert "https://t.me/cookingdaily/" in page
    # Nothing is loaded from anywhere but this page's own address.
    assert not re.search(r'(src|href)="(https?:)?//(?!t\.me/cookingdaily/)', page)
    charts = re.findall(r'<img src="([^"]+)"', page)
    assert charts == [f"{link.token}/charts/{name}.png" for name in SHAREABLE_CHARTS]
    for chart in charts:
        response, png = await get(http, app, f"/r/{chart}")
        assert (response.status, response.content_type) == (200, "image/png")
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.width >= 600
    downloads = re.findall(r'<a href="([^"]+\.csv)" download>', page)
    assert downloads == [
        f"{link.token}/csv/{name}.csv" for name in ("posts", "subscribers", "joins_leaves")
    ]
    response, data = await get(http, app, f"/r/{downloads[0]}")
    assert (response.status, response.content_type) == (200, "text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(row[2] for row in rows[1:]) == sorted(text for text, *_ in POSTS)
    # The page was opened once; its charts and files are part of that opening.
    assert await db.fetchval("SELECT open_count FROM share_links") == 1
    # Where subscribers came from stays the owner's: no such chart or file here.
    for private in (f"{link.token}/charts/sources.png", f"{link.token}/csv/sources.csv"):
        response, _ = await get(http, app, f"/r/{private}")
        assert response.status == 404


async def test_the_page_shows_only_the_chosen_period(app, shared, tg, http, clock) -> None:
    await tg.post(shared.channel, "Too old to be shared", date=clock.now().timestamp() - 9 * 86400)
    await app.services.ingestion.flush()
    link = await share(app, shared, days=7)

    _, body = await get(http, app, f"/r/{link.token}")
    _, posts_csv = await get(http, app, f"/r/{link.token}/csv/posts.csv")

    assert "Sourdough" in body.decode()
    assert "Too old to be shared" not in body.decode()
    assert "Too old to be shared" not in posts_csv.decode("utf-8-sig")


async def test_the_json_form_has_the_same_report(app, shared, http, settings) -> None:
    link = await share(app, shared)

    async with http.get(f"{app.app.web_url}/r/{link.token}.json") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        report = await response.json()

    assert report["channel"] == {"title": "Cooking Daily", "username": "cookingdaily"}
    assert report["period"]["days"] == 7
    numbers = {number["name"]: number["value"] for number in report["key_numbers"]}
    assert numbers["subscribers"] == 1503
    assert numbers["posts"] == 3
    assert [post["views"] for post in report["top_posts"]] == [2400, 1300, 900]
    assert report["top_posts"][0]["text"] == "Sourdough, step by step"
    base = f"{settings.public_base_url}/r/{link.token}"
    assert report["charts"][0] == {"name": "growth", "url": f"{base}/charts/growth.png"}
    assert {c["url"] for c in report["csv"]} == {
        f"{base}/csv/{name}.csv" for name in ("posts", "subscribers", "joins_leaves")
    }
    assert report["expires_at"] == link.link.expires_at.isoformat()


async def test_an_expired_link_answers_410_with_a_friendly_page(app, shared, http, clock) -> None:
    link = await share(app, shared, hours=24)
    response, _ = await get(http, app, f"/r/{link.token}")
    assert response.status == 200

    clock.advance(hours=24)

    response, body = await get(http, app, f"/r/{link.token}")
    assert response.status == 410
    assert "This link has expired" in body.decode()
    for path in ("/charts/growth.png", "/csv/posts.csv"):
        response, _ = await get(http, app, f"/r/{link.token}{path}")
        assert response.status == 410
    response, body = await get(http, app, f"/r/{link.token}.json")
    assert (response.status, body) == (410, b'{"error": "expired"}')


async def test_revoked_and_made_up_links_answer_404(app, shared, http) -> None:
    link = await share(app, shared)
    await app.services.share_links.revoke(user_id=shared.owner.id, link_id=link.link.id)

    for path in (
        f"/r/{link.token}",
        f"/r/{link.token}/charts/growth.png",
        f"/r/{link.token}/csv/posts.csv",
        "/r/" + "A" * 32,
        "/r/not-a-token",
        "/r/" + "A" * 200,
    ):
        response, body = await get(http, app, path)
        assert response.status == 404, path
        assert "This link does not work" in body.decode(), path
    response, body = await get(http, app, f"/r/{link.token}.json")
    assert (response.status, body) == (404, b'{"error": "not_found"}')


async def test_a_live_link_has_no_other_files(app, shared, http) -> None:
    link = await share(app, shared)
    for path in ("/charts/secrets.png", "/csv/users.csv", "/charts/posts.csv"):
        response, _ = await get(http, app, f"/r/{link.token}{path}")
        assert response.status == 404, path


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("", id="page"),
        pytest.param(".json", id="json"),
        pytest.param("/charts/growth.png", id="chart"),
        pytest.param("/csv/posts.csv", id="csv"),
        pytest.param("-unknown", id="not-found"),
    ],
)
async def test_every_share_response_carries_the_security_headers(app, shared, http, path) -> None:
    link = await share(app, shared)

    response, _ = await get(http, app, f"/r/{link.token}{path}")

    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "'self'"
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", policy["style-src"])
    assert "script-src" not in policy  # default-src 'none': no script at all
    assert policy["frame-ancestors"] == "'none'"


@pytest.mark.settings(
    share_rate_burst=2, share_rate_per_second=0.01, trusted_proxies="10.0.0.0/8, 127.0.0.1"
)
async def test_behind_trusted_proxies_each_visitor_has_its_own_rate(app, shared, http) -> None:
    link = await share(app, shared)

    async def from_visitor(forwarded_for: str) -> int:
        async with http.get(
            f"{app.app.web_url}/r/{link.token}.json", headers={"X-Forwarded-For": forwarded_for}
        ) as response:
            return response.status

    # Two proxies of ours in a row (10.1.2.3 passed it on to nginx): the visitor is before them.
    statuses = [await from_visitor("198.51.100.7, 10.1.2.3") for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert await from_visitor("198.51.100.8, 10.1.2.3") == 200


@pytest.mark.settings(share_rate_burst=3, share_rate_per_second=0.01)
async def test_requests_beyond_the_rate_are_answered_429(app, shared, http) -> None:
    link = await share(app, shared)
    for _ in range(3):
        response, _ = await get(http, app, f"/r/{link.token}.json")
        assert response.status == 200

    response, body = await get(http, app, f"/r/{link.token}")

    assert response.status == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many requests" in body.decode()
    assert response.headers["Cache-Control"] == "no-store"
    response, _ = await get(http, app, "/healthz")  # health checks are never limited
    assert response.status == 200


@pytest.mark.settings(feature_share_links=False)
async def test_without_the_feature_there_are_no_share_pages(app, http) -> None:
    response, _ = await get(http, app, "/r/" + "A" * 32)
    assert response.status == 404
    assert "Content-Security-Policy" not in response.headers
