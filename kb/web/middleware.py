"""What every request goes through before the routes: a pure ASGI middleware.

It answers a body that is missing its length or too large before the route reads it, answers HEAD as
GET, adds the security headers to every response, remembers a chosen language in a cookie and tells the
service when requests come and go (its background work waits for a pause). Written against ASGI itself,
not Starlette's ``BaseHTTPMiddleware``, which runs each request's route in a task of its own and costs
about half a millisecond a request.
"""

from __future__ import annotations

from typing import Callable

from starlette.datastructures import MutableHeaders, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_REQUEST_BYTES = 1024 * 1024  # the largest form or upload the app accepts
SECURITY_HEADERS = {
    # scripts, styles, images and forms only from this site; never framed
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
LANG_COOKIE_S = 365 * 24 * 3600


def _cookie(lang: str) -> str:
    """The Set-Cookie value that remembers ``lang``, as Starlette writes it."""
    response = Response()
    response.set_cookie("lang", lang, max_age=LANG_COOKIE_S, samesite="lax")
    return response.headers["set-cookie"]


class RequestGuard:
    """The middleware. ``refuse(request, status, message)`` gives the error page or JSON of a refused
    body; ``too_large(request)`` the answer for an upload page's too large form (``/team``);
    ``touch()`` tells the service a request came or went; ``langs()`` the interface languages."""

    def __init__(self, app: ASGIApp, *, refuse: Callable[[Request, int, str], Response],
                 too_large: dict[str, Callable[[Request], Response]], touch: Callable[[], None],
                 langs: Callable[[], tuple[str, ...]]) -> None:
        self.app, self.refuse, self.too_large, self.touch, self.langs = app, refuse, too_large, touch, langs
        self._cookies: dict[str, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.touch()  # background work waits while requests come in
        if scope["method"] == "HEAD":  # monitors and crawlers: answer as GET (the server drops the body)
            scope["method"] = "GET"
        lang = QueryParams(scope.get("query_string", b"")).get("lang")
        cookie = None
        if lang in self.langs():
            sent = Request(scope).cookies.get("lang")
            if sent != lang:
                cookie = self._cookies.get(lang) or self._cookies.setdefault(lang, _cookie(lang))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for header, value in SECURITY_HEADERS.items():
                    if header not in headers:
                        headers.append(header, value)
                if cookie:
                    headers.append("set-cookie", cookie)
            await send(message)

        refused = self._refusal(scope)
        if refused is not None:
            await refused(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)
        self.touch()

    def _refusal(self, scope: Scope) -> Response | None:
        """The answer to a body sent without its length or larger than the limit, else None."""
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            return None
        length = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value.decode("latin-1")
                break
        request = Request(scope)
        if length is None:
            return self.refuse(request, 411, "a request body needs a Content-Length header")
        if not length.isdigit() or int(length) > MAX_REQUEST_BYTES:
            if scope["path"] in self.too_large:  # many files at once: the reason on the upload page itself
                return self.too_large[scope["path"]](request)
            return self.refuse(request, 413, f"request body larger than {MAX_REQUEST_BYTES // 1024} KiB")
        return None
