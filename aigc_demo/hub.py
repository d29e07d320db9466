"""Hugging Face hub models that work where the network allows: the local cache first, the hub only when it
answers, and one clear ModelUnavailableError otherwise (instead of a minute of download retries)."""
from __future__ import annotations

import socket
import time
from typing import Any, Callable

from aigc_demo.errors import ModelUnavailableError

HUB_HOST = "huggingface.co"
CHECK_EVERY_S = 60.0
_last_check: dict[str, tuple[float, bool]] = {}


def hub_reachable(timeout: float = 2.0) -> bool:
    """Whether the hub accepts a TCP connection (the answer is reused for a minute)."""
    checked_at, answer = _last_check.get(HUB_HOST, (0.0, False))
    if time.monotonic() - checked_at < CHECK_EVERY_S:
        return answer
    try:
        socket.create_connection((HUB_HOST, 443), timeout=timeout).close()
        answer = True
    except OSError:
        answer = False
    _last_check[HUB_HOST] = (time.monotonic(), answer)
    return answer


def load_hub_model(load: Callable[..., Any], model_id: str, instead: str) -> Any:
    """`load(local_files_only=...)` from the cache, else from the hub if reachable; `instead` names what to pick."""
    try:
        return load(local_files_only=True)
    except Exception:  # not cached (or a partial cache): try the network
        pass
    if not hub_reachable():
        raise ModelUnavailableError(f"{model_id} is not in this server's Hugging Face cache and the hub cannot be "
                                    f"reached from here; pick {instead}.")
    try:
        return load(local_files_only=False)
    except Exception as error:
        raise ModelUnavailableError(f"{model_id} could not be downloaded from the hub; pick {instead}.") from error
