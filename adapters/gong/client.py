"""Gong HTTP: the shared ``ProviderHttp`` with Gong's classifier and limit parser.

Auth is HTTP Basic with the access key and its secret (help.gong.io/apidocs, Introduction),
the credential's ``basic`` flow built by ``adapters.registry``. Gong publishes no budget headers;
429 carries ``Retry-After`` in seconds.
"""

from __future__ import annotations

import httpx

from adapters.gong.errors import PROVIDER, classify
from adapters.http.limits import LIMIT_PARSERS
from adapters.http.session import HttpOptions, ProviderHttp


def gong_http(client: httpx.AsyncClient, options: HttpOptions | None = None) -> ProviderHttp:
    """Wrap the authenticated client with Gong's error classification and limit parsing."""
    options = options or HttpOptions()
    clock = options.clock
    return ProviderHttp(
        client,
        provider=PROVIDER,
        classify=lambda response: classify(response, clock()),
        parse_limits=LIMIT_PARSERS[PROVIDER],
        options=options,
    )
