"""How an IP address is written inside a URL.

An IPv6 address is bracketed there (``ws://[::1]:8080/ws``), an IPv4 address
or a name is not. Every part that prints or dials a URL for a host goes
through :func:`hostport`, so ``--host ::1`` works everywhere at once.
"""

from __future__ import annotations


def url_host(host: str) -> str:
    """``host`` as written in a URL.

    >>> url_host("::1"), url_host("127.0.0.1"), url_host("[::1]")
    ('[::1]', '127.0.0.1', '[::1]')
    """
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def hostport(host: str, port: int) -> str:
    """``HOST:PORT`` for a URL.

    >>> hostport("::ffff:127.0.0.1", 8080)
    '[::ffff:127.0.0.1]:8080'
    """
    return f"{url_host(host)}:{port}"
