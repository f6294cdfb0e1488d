"""The composition root of one worker process: settings and stores, built once and shared.

Activities and HTTP functions call `get_services()`; tests build their own `Services` and install them
with `use_services()`. Clients and connections live as long as the process (never one per call).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from core.settings import Settings, get_settings
from stores.factory import Stores, build_stores


@dataclass(frozen=True)
class Services:
    settings: Settings
    stores: Stores


_lock = threading.Lock()
_services: Services | None = None


def get_services() -> Services:
    """The process's services, built from the environment on first use."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                settings = get_settings()
                _services = Services(settings=settings, stores=build_stores(settings))
    return _services


def use_services(services: Services | None) -> None:
    """Install (or with None, forget) the process's services: for tests and embedding."""
    global _services
    with _lock:
        _services = services
