"""The portal: the built web app (web/dist, Vite's output) served at `/`.

Hashed files under /assets/ are cached for good; every other path is one of the app's routes (or an
unknown one, which the app shows as "Page not found"), answered by index.html, revalidated each time.
"""

from __future__ import annotations

import re
from os import PathLike, stat_result
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"
# Files Vite copies from web/public to the top of dist (favicon.svg): one plain name, no folders.
TOP_LEVEL_FILE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
NOT_BUILT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Account portal: not built</title></head>
<body>
<main>
<h1>The portal is not built yet</h1>
<p>The gateway serves the account portal's web app from its build folder, which has no index.html.
<code>make run</code> builds it (it needs Node.js 20+), or run <code>npm ci &amp;&amp; npm run build</code>
in <code>web/</code>. The API is at <a href="/graphql">/graphql</a>.</p>
</main>
</body>
</html>
"""


class HashedAssets(StaticFiles):
    """/assets/: Vite names each file by its content's hash, so a name never changes meaning. The folder
    may be missing (the portal not built yet, or being rebuilt): then each asset is a 404, not a 500."""

    async def check_config(self) -> None:
        """Starlette's check raises for a missing folder on the first request; looked up per request here."""

    def file_response(
        self, full_path: str | PathLike[str], stat_result: stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = ASSET_CACHE
        return response


class Portal:
    """The routes of the portal; `directory` may appear after start-up (it is looked at per request)."""

    def __init__(self, directory: Path, csp: str) -> None:
        self.directory = directory
        self.csp = csp  # gateway/headers.py's portal_csp: Stripe.js's sources only with the Stripe processor

    def routes(self) -> list[BaseRoute]:
        """Last in the route list: /graphql, /healthz, /readyz and /metrics match first."""
        return [
            Mount("/assets", app=HashedAssets(directory=self.directory / "assets", check_dir=False)),
            Route("/{path:path}", self.page, methods=["GET"]),
        ]

    async def page(self, request: Request) -> Response:
        name = request.path_params["path"]
        if name != "index.html" and TOP_LEVEL_FILE.fullmatch(name) and (self.directory / name).is_file():
            return FileResponse(self.directory / name, headers={"cache-control": PAGE_CACHE})
        index = self.directory / "index.html"
        headers = {"cache-control": PAGE_CACHE, "content-security-policy": self.csp}
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503, headers=headers)
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=headers)
