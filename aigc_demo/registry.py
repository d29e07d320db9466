"""One cached, lazily loaded instance per model key, shared by every request.

Nothing loads at import or app start; the first request that needs a model loads it, under a
per-key lock so two users asking at once load it once.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any, Callable, Hashable


class ModelRegistry:
    def __init__(self) -> None:
        self._models: dict[Hashable, Any] = {}
        self._locks: defaultdict[Hashable, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached model for `key`, calling `load()` the first time. Failed loads are not cached."""
        if key in self._models:
            return self._models[key]
        with self._guard:
            lock = self._locks[key]
        with lock:
            if key not in self._models:
                self._models[key] = load()
            return self._models[key]

    def put(self, key: Hashable, model: Any) -> None:
        """Register an already built model (a session's trained or compressed copy, a test's tiny model)."""
        self._models[key] = model

    def loaded(self) -> list[Hashable]:
        return list(self._models)

    def clear(self) -> None:
        self._models.clear()


registry = ModelRegistry()
