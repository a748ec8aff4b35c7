"""Where the Dash app is served from, behind ShinyProxy.

ShinyProxy proxies each user's container under a per-session path such as
/app_proxy/3f2c.../ and passes it in SHINYPROXY_PUBLIC_PATH. Dash must both
request its assets and callbacks under that path (requests_pathname_prefix)
and answer routes under it (routes_pathname_prefix, because the shinykit spec
sets ShinyProxy's target-path to the same value, so the full path reaches the
container). Kept free of any dash import so it can be tested on its own.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional


def pathname_prefix(env: Optional[Mapping[str, str]] = None) -> str:
    """The path prefix for Dash: "/" when run on its own, else the public path
    normalised to start and end with exactly one "/"."""
    source = os.environ if env is None else env
    raw = (source.get("SHINYPROXY_PUBLIC_PATH") or "").strip()
    parts = [part for part in raw.split("/") if part]
    if not parts:
        return "/"
    return "/" + "/".join(parts) + "/"


def dash_prefix_kwargs(env: Optional[Mapping[str, str]] = None) -> dict:
    """Keyword arguments for dash.Dash(...) that serve the app under the prefix."""
    prefix = pathname_prefix(env)
    return {"requests_pathname_prefix": prefix, "routes_pathname_prefix": prefix}
