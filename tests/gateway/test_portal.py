"""The portal served at `/`: hashed assets cached for good, the app's routes answered by index.html with a
CSP that allows no inline script, the API's answers unchanged, and a clear page when it is not built."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
import redis.asyncio as aioredis
from starlette.types import ASGIApp, Message

from gateway.app import Resources, create_app
from gateway.headers import JSON_CSP, PORTAL_CSP
from gateway.settings import PORTAL_DIR, Settings
from models.security.passwords import Passwords
from workers.queue import Queue

INDEX = (
    b'<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head></html>'
)
SCRIPT = b"console.log('portal');"
FAVICON = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def portal_dir(tmp_path: Path) -> Path:
    """A fake Vite build: index.html, one hashed asset and a file copied from web/public."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-AbC123.js").write_bytes(SCRIPT)
    (tmp_path / "favicon.svg").write_bytes(FAVICON)
    return tmp_path


@pytest.fixture
def app_settings(settings: Settings, portal_dir: Path) -> Settings:
    return settings.with_overrides(portal_dir=portal_dir)


@pytest.mark.parametrize(
    "path", ["/", "/sign-in?next=/billing", "/activate?token=abc", "/billing", "/no/such/page", "/index.html"]
)
async def test_every_route_of_the_app_answers_index_html(client: httpx.AsyncClient, path: str) -> None:
    # when
    response = await client.get(path)
    # then
    assert response.status_code == 200
    assert response.content == INDEX
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == PORTAL_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_the_portal_csp_allows_no_inline_script() -> None:
    directives = dict(part.strip().split(" ", 1) for part in PORTAL_CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["img-src"] == "'self'"
    assert "unsafe" not in PORTAL_CSP
    assert "data:" not in PORTAL_CSP


async def test_hashed_assets_are_cached_for_good(client: httpx.AsyncClient) -> None:
    # when
    response = await client.get("/assets/index-AbC123.js")
    # then
    assert response.status_code == 200
    assert response.content == SCRIPT
    assert response.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_asset_revalidated_by_its_etag_is_not_sent_again(client: httpx.AsyncClient) -> None:
    # given
    etag = (await client.get("/assets/index-AbC123.js")).headers["etag"]
    # when
    response = await client.get("/assets/index-AbC123.js", headers={"if-none-match": etag})
    # then
    assert response.status_code == 304
    assert response.headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize("path", ["/assets/index-Gone99.js", "/assets/", "/assets/Index-AbC123.js"])
async def test_a_missing_asset_is_404_not_the_page(client: httpx.AsyncClient, path: str) -> None:
    # when
    response = await client.get(path)
    # then
    assert response.status_code == 404
    assert response.content != INDEX


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"]
)
async def test_a_path_outside_the_build_is_never_served(
    app_settings: Settings,
    passwords: Passwords,
    queue: Queue,
    gateway_redis: aioredis.Redis,
    portal_dir: Path,
    path: str,
) -> None:
    # given: a raw request path, as a client that does not normalise dot segments sends it
    (portal_dir.parent / "secret.txt").write_text("not for you")
    app = create_app(app_settings, Resources(passwords=passwords, queue=queue, redis=gateway_redis))
    # when
    status, body = await raw_get(app, path)
    # then
    assert b"not for you" not in body
    assert status in (200, 404)


async def raw_get(app: ASGIApp, path: str) -> tuple[int, bytes]:
    answer: list[Message] = []
    requested = asyncio.Event()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": unquote(path), "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"portal.test")], "client": ("203.0.113.7", 51000),
        "server": ("portal.test", 80),
    }  # fmt: skip

    async def receive() -> Message:
        if requested.is_set():  # the client stays connected until the answer is sent
            await asyncio.Event().wait()
        requested.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        answer.append(message)

    await app(scope, receive, send)
    body = b"".join(message.get("body", b"") for message in answer if message["type"] == "http.response.body")
    return answer[0]["status"], body


async def test_a_top_level_file_of_the_build_is_served_as_itself(client: httpx.AsyncClient) -> None:
    # when
    response = await client.get("/favicon.svg")
    # then
    assert response.status_code == 200
    assert response.content == FAVICON
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "no-cache"


async def test_the_api_answers_keep_their_headers(client: httpx.AsyncClient) -> None:
    # when
    responses = [
        await client.post("/graphql", json={"query": "{ me { id } }"}),
        await client.get("/graphql", params={"query": "{ me { id } }"}),
        await client.get("/healthz"),
        await client.get("/readyz"),
    ]
    # then
    for response in responses:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-security-policy"] == JSON_CSP
    assert responses[0].json() == {"data": {"me": None}}
    assert responses[2].json() == {"status": "ok"}


async def test_a_post_outside_the_api_is_refused(client: httpx.AsyncClient) -> None:
    # when
    response = await client.post("/billing", content=b"{}")
    # then
    assert response.status_code == 405
    assert response.content != INDEX


async def test_an_unbuilt_portal_answers_a_page_that_says_how_to_build_it(
    client: httpx.AsyncClient, portal_dir: Path
) -> None:
    # given
    (portal_dir / "index.html").unlink()
    # when
    responses = [await client.get("/"), await client.get("/activate?token=abc")]
    # then
    for response in responses:
        assert response.status_code == 503
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["content-security-policy"] == PORTAL_CSP
        assert "The portal is not built yet" in response.text
        assert "make run" in response.text
        assert "<script" not in response.text
    assert (await client.get("/healthz")).status_code == 200


async def test_an_asset_of_an_unbuilt_portal_is_404_not_an_error(
    client: httpx.AsyncClient, portal_dir: Path
) -> None:
    # given: no build at all (a fresh clone before make run)
    shutil.rmtree(portal_dir / "assets")
    # when
    response = await client.get("/assets/index-abc123.js")
    # then
    assert response.status_code == 404


async def test_a_build_that_appears_after_start_up_is_served(
    client: httpx.AsyncClient, portal_dir: Path
) -> None:
    # given
    (portal_dir / "index.html").unlink()
    assert (await client.get("/")).status_code == 503
    # when
    (portal_dir / "index.html").write_bytes(INDEX)
    # then
    assert (await client.get("/")).content == INDEX


def test_the_portal_folder_is_web_dist_unless_portal_dir_says_otherwise(tmp_path: Path) -> None:
    # when
    default = Settings.from_env({"DATA_DIR": str(tmp_path)})
    chosen = Settings.from_env({"DATA_DIR": str(tmp_path), "PORTAL_DIR": str(tmp_path / "build")})
    # then
    assert default.portal_dir == PORTAL_DIR
    assert PORTAL_DIR == Path(__file__).resolve().parents[2] / "web" / "dist"
    assert chosen.portal_dir == tmp_path / "build"
