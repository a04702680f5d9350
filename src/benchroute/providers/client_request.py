"""What the upstream client sends: a URL split once (where to connect, the request line's target
and `Host`) and the request head (`providers.client` sends it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from benchroute import __version__

USER_AGENT = f"benchroute/{__version__}"


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int

    @property
    def tls(self) -> bool:
        return self.scheme == "https"


@dataclass(frozen=True, slots=True)
class Url:
    """A request URL split once: where to connect and the request line's target and Host."""

    origin: Origin
    target: str  # path and query
    host_header: str


def split_url(url: str) -> Url:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    default = 443 if scheme == "https" else 80
    port = parts.port or default
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Url(Origin(scheme, host, port), target, shown if port == default else f"{shown}:{port}")


def request_head(method: str, url: Url, headers: Mapping[str, str], length: int | None) -> bytes:
    """The request line and headers; `headers` names compare case-insensitively (the last wins)."""
    return finish_head(head_prefix(method, url, headers), length)


def head_prefix(method: str, url: Url, headers: Mapping[str, str]) -> bytes:
    """The request line and headers, without the length and the blank line (the part a client
    can keep for the next request with the same headers); ValueError for a header that would
    inject a line."""
    named = {"user-agent": ("User-Agent", USER_AGENT)}
    for name, value in headers.items():
        named[name.lower()] = (name, value)
    lines = [f"{method} {url.target} HTTP/1.1", f"Host: {url.host_header}"]
    for name, value in named.values():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise ValueError(f"invalid request header {name!r}")
        lines.append(f"{name}: {value}")
    lines.append("")
    return "\r\n".join(lines).encode("utf-8")


def finish_head(prefix: bytes, length: int | None) -> bytes:
    """`prefix` with its Content-Length (None: none) and the blank line that ends a head."""
    if length is None:
        return prefix + b"\r\n"
    return prefix + b"Content-Length: %d\r\n\r\n" % length
