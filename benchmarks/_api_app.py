"""The API as an ASGI factory, for ``uvicorn --factory _api_app:make_app --workers 2``.

`sitthi serve --workers 2` hands uvicorn an application object, which uvicorn refuses for
more than one worker (it needs an import string); bench_api.py starts two workers through
this factory instead: the same `create_app` over the same settings (``SITTHI_…``).
"""

from __future__ import annotations

from fastapi import FastAPI


def make_app() -> FastAPI:
    from sitthi.api.app import create_app
    from sitthi.context import Context

    return create_app(Context())
