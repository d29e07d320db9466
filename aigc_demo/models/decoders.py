"""Next-token logits from a causal language model, one token at a time, on either engine the Text tab runs.

The sampling loop in pipelines/text.py asks a decoder for the logits after the prompt, then after each new
token. Two engines answer: a transformers model over its KV cache, and llama.cpp over a GGUF file (about five
times faster on a CPU, because it runs the 4-bit weights as they are instead of dequantising them). Keeping
sampling outside the engines is what makes seeds, settings and Stop behave the same on both.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import tempfile
import queue
from pathlib import Path

import numpy as np
import torch


class TorchDecoder:
    """A transformers causal LM decoding over its own KV cache."""

    def __init__(self, model: torch.nn.Module):
        self.model = model
        self.device = next(model.parameters()).device
        self.cache = None

    def start(self, ids: list[int]) -> torch.Tensor:
        self.cache = None
        return self._forward(torch.tensor([ids], dtype=torch.long))

    def advance(self, token_id: int) -> torch.Tensor:
        return self._forward(torch.tensor([[token_id]], dtype=torch.long))

    def _forward(self, ids: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            output = self.model(input_ids=ids.to(self.device), cache=self.cache, use_cache=True)
        self.cache = output.cache
        return output.logits[:, -1, :].float().cpu()


class LlamaCppModel:
    """A GGUF file run by llama.cpp (llama-cpp-python), on the CPU threads torch uses.

    A llama.cpp context holds one sequence, so each request decodes in a context of its own, taken from a pool
    and given back when its decoder is dropped (the weights are memory-mapped once and shared by all).
    """

    engine = "llama.cpp"

    def __init__(self, path: Path, context_length: int, threads: int | None = None):
        self.path = Path(path)
        self.threads = threads or max(1, torch.get_num_threads())
        self.context_length = context_length
        self.weights = sixteen_bit_copy(self.path)
        self.dtype = f"float16 (from {gguf_quantisation(self.path)})"
        self.pool: queue.SimpleQueue = queue.SimpleQueue()
        self.pool.put(self.new_context())  # the first one at load, so a broken file fails here

    def new_context(self):
        from llama_cpp import Llama

        return Llama(model_path=str(self.weights), n_ctx=self.context_length, n_threads=self.threads,
                     n_threads_batch=self.threads, logits_all=False, verbose=False)

    def take(self):
        try:
            return self.pool.get_nowait()
        except queue.Empty:
            return self.new_context()

    def decoder(self) -> "LlamaCppDecoder":
        return LlamaCppDecoder(self)


class LlamaCppDecoder:
    def __init__(self, model: LlamaCppModel):
        self.model, self.llama = model, model.take()

    def __del__(self):
        self.model.pool.put(self.llama)

    def start(self, ids: list[int]) -> torch.Tensor:
        self.llama.reset()
        return self._eval(list(ids))

    def advance(self, token_id: int) -> torch.Tensor:
        return self._eval([token_id])

    def _eval(self, ids: list[int]) -> torch.Tensor:
        self.llama.eval(ids)
        # Only the last position's logits are kept (logits_all=False), read straight from llama.cpp's buffer.
        pointer = self.llama._ctx.get_logits_ith(-1)
        logits = np.ctypeslib.as_array(pointer, shape=(self.llama.n_vocab(),)).astype(np.float32)
        return torch.from_numpy(logits)[None, :]


def decoder_for(model) -> TorchDecoder | LlamaCppDecoder:
    return model.decoder() if isinstance(model, LlamaCppModel) else TorchDecoder(model)


CACHE_DIR = Path(os.environ.get("AIGC_CACHE_DIR") or Path(tempfile.gettempdir()) / "aigc-studio-cache")
F16 = 1  # llama.cpp's LLAMA_FTYPE_MOSTLY_F16


def sixteen_bit_copy(path: Path) -> Path:
    """The GGUF with its 4-bit weights widened to float16, made once by llama.cpp's own converter.

    llama.cpp's 4-bit kernels also round the activations to 8 bits, which is enough to flip a 135M model's answers
    (SmolLM2's card measures it); the same weights in float16 match transformers' float32 logits and run as fast.
    """
    import llama_cpp

    stat = path.stat()
    target = CACHE_DIR / f"{path.stem}.{stat.st_size}-{int(stat.st_mtime)}.F16.gguf"
    if target.is_file():
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype, params.allow_requantize, params.nthread = F16, True, max(1, torch.get_num_threads())
    with quiet_stderr():  # the converter prints a line per tensor
        failed = llama_cpp.llama_model_quantize(str(path).encode(), str(partial).encode(), ctypes.byref(params))
    if failed:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"llama.cpp could not convert {path.name} (code {failed})")
    partial.replace(target)
    return target


@contextlib.contextmanager
def quiet_stderr():
    """Silence a C library's writes to stderr (file descriptor 2) for the block."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def gguf_quantisation(path: Path) -> str:
    """The weight format named in a GGUF file name, like 'Q4_1' in 'SmolLM2-135M-Instruct.Q4_1.gguf'."""
    parts = os.path.basename(path).split(".")
    return parts[-2] if len(parts) >= 3 else "gguf"


def llama_cpp_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None
