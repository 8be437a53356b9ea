"""Post an asynchronous search's answer to the sender's ``/registry/on-search`` callback.

The URI is one registered for the sender (`sitthi.api.dci.senders`): a request may pick
one of those with ``header.sender_uri`` but can never name another, so Sitthi cannot be
made to call an address of the requester's choosing (SSRF). Redirects are not followed
(a registered host could otherwise send the answer elsewhere) and no proxy from the
environment is used. A failed attempt is retried a few times; what became of it is kept
on the transaction (its kind of error only, never the answer).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 10
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    attempts: int
    error: str | None = None


def post_json(
    uri: str,
    body: dict[str, Any],
    *,
    attempts: int = ATTEMPTS,
    on_attempt: Callable[[bool, str | None], None] | None = None,
) -> Delivery:
    """POST ``body`` as JSON to ``uri``; a 2xx answer is a delivery.

    Retries after a network error or a 5xx (with a growing pause); a 4xx is final.
    ``on_attempt`` hears of each attempt (delivered?, error) to record it.
    """
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    error: str | None = None
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            uri, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        retry = True
        try:
            with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as answer:
                status = int(answer.status)
            if 200 <= status < 300:
                if on_attempt is not None:
                    on_attempt(True, None)
                return Delivery(True, attempt)
            error, retry = f"HTTP {status}", status >= 500
        except urllib.error.HTTPError as exc:
            error, retry = f"HTTP {exc.code}", exc.code >= 500
        except (urllib.error.URLError, OSError) as exc:
            error = f"{type(exc).__name__}: {getattr(exc, 'reason', '') or exc}"[:200]
        if on_attempt is not None:
            on_attempt(False, error)
        if not retry:
            return Delivery(False, attempt, error)
        if attempt < attempts:
            time.sleep(BACKOFF_SECONDS * attempt)
    return Delivery(False, attempts, error)
