"""The one place that decides device and dtype, and the one place that does the half-precision fallback.

Order: AIGC_DEVICE / AIGC_DTYPE (set by app.py's --device / --dtype too), then cuda, mps, cpu.
Half precision on accelerators, float32 on CPU.
"""
from __future__ import annotations

import logging
import os
from typing import Callable, Iterator, TypeVar

import torch

log = logging.getLogger(__name__)
T = TypeVar("T")

DTYPES = {"float32": torch.float32, "fp32": torch.float32, "float16": torch.float16, "fp16": torch.float16,
          "bfloat16": torch.bfloat16, "bf16": torch.bfloat16}


class NonFiniteOutputError(RuntimeError):
    """A model produced NaN or inf; in half precision this triggers the float32 retry."""


def pick_device() -> torch.device:
    wanted = os.environ.get("AIGC_DEVICE", "").strip().lower()
    if wanted:
        return torch.device(wanted)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def pick_dtype(device: torch.device | None = None) -> torch.dtype:
    wanted = os.environ.get("AIGC_DTYPE", "").strip().lower()
    if wanted:
        if wanted not in DTYPES:
            raise ValueError(f"AIGC_DTYPE must be one of {sorted(DTYPES)}, not {wanted!r}")
        return DTYPES[wanted]
    device = device or pick_device()
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return torch.float32


def is_half(dtype: torch.dtype) -> bool:
    return dtype in (torch.float16, torch.bfloat16)


def is_half_precision_failure(error: BaseException) -> bool:
    """Errors that mean 'this op or this model does not work in half precision here'."""
    if isinstance(error, NonFiniteOutputError):
        return True
    text = str(error)
    return isinstance(error, (RuntimeError, TypeError, NotImplementedError)) and (
        "not implemented for" in text and ("Half" in text or "BFloat16" in text)
        or "expected scalar type" in text.lower() or "dtype" in text.lower() and "mismatch" in text.lower()
    )


def check_finite(tensor: torch.Tensor, what: str = "output") -> torch.Tensor:
    if not torch.isfinite(tensor).all():
        raise NonFiniteOutputError(f"the model's {what} contains NaN or inf")
    return tensor


_half_failed: set = set()  # model keys that failed in half precision: later requests go straight to fp32


def effective_dtype(key, dtype: torch.dtype) -> torch.dtype:
    return torch.float32 if key in _half_failed else dtype


def with_precision_fallback(key, call: Callable[[torch.dtype], T], dtype: torch.dtype,
                            warn: Callable[[str], object] = log.warning) -> T:
    """Run `call(dtype)`; if half precision fails or yields NaN/inf, run `call(torch.float32)` once.

    `call` receives the dtype to load its model in (the registry caches one instance per dtype),
    so the retry reloads in float32 rather than casting a broken model in place. `key` names the
    model, so once it has failed in half precision it is not tried in half precision again.
    """
    dtype = effective_dtype(key, dtype)
    try:
        return call(dtype)
    except Exception as error:
        if not is_half(dtype) or not is_half_precision_failure(error):
            raise
        _note_failure(key, error, warn)
        return call(torch.float32)


def stream_with_precision_fallback(key, stream: Callable[[torch.dtype], Iterator[T]], dtype: torch.dtype,
                                   warn: Callable[[str], object] = log.warning) -> Iterator[T]:
    """The streaming form of `with_precision_fallback`: a half-precision failure restarts the stream in fp32."""
    dtype = effective_dtype(key, dtype)
    try:
        yield from stream(dtype)
    except Exception as error:
        if not is_half(dtype) or not is_half_precision_failure(error):
            raise
        _note_failure(key, error, warn)
        yield from stream(torch.float32)


def _note_failure(key, error: BaseException, warn: Callable[[str], object]) -> None:
    log.warning("half precision failed for %s (%s); retrying in float32", key, error)
    _half_failed.add(key)
    warn("Half precision failed for this model on this device, so it was reloaded in float32.")


def describe(device: torch.device, dtype: torch.dtype) -> dict:
    return {"device": str(device), "dtype": str(dtype).removeprefix("torch.")}
