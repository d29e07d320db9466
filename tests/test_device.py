"""Device and dtype choice, and the half-precision fallback (forced on CPU and injected)."""
import pytest
import torch

from aigc_demo import device
from aigc_demo.device import (NonFiniteOutputError, pick_device, pick_dtype, stream_with_precision_fallback,
                              with_precision_fallback)


def test_defaults_on_this_machine_and_env_overrides(monkeypatch):
    monkeypatch.delenv("AIGC_DEVICE", raising=False)
    monkeypatch.delenv("AIGC_DTYPE", raising=False)
    if not torch.cuda.is_available():
        assert pick_device().type in ("cpu", "mps")
        assert pick_dtype(torch.device("cpu")) == torch.float32
    monkeypatch.setenv("AIGC_DEVICE", "cpu")
    monkeypatch.setenv("AIGC_DTYPE", "bf16")
    assert pick_device() == torch.device("cpu") and pick_dtype() == torch.bfloat16
    monkeypatch.setenv("AIGC_DTYPE", "float8")
    with pytest.raises(ValueError, match="AIGC_DTYPE"):
        pick_dtype()


@pytest.mark.parametrize("failure", [
    RuntimeError('"addmm_impl_cpu_" not implemented for \'Half\''),
    NonFiniteOutputError("the model's logits contains NaN or inf"),
])
def test_half_failure_retries_in_float32_and_warns(failure):
    seen, warnings = [], []

    def call(dtype):
        seen.append(dtype)
        if dtype == torch.float16:
            raise failure
        return "ok"

    assert with_precision_fallback("m", call, torch.float16, warnings.append) == "ok"
    assert seen == [torch.float16, torch.float32] and len(warnings) == 1
    # The model is remembered: the next request goes straight to float32.
    seen.clear()
    with_precision_fallback("m", call, torch.float16, warnings.append)
    assert seen == [torch.float32]


def test_other_errors_and_float32_failures_are_not_retried():
    def broken(dtype):
        raise RuntimeError("something else")

    with pytest.raises(RuntimeError, match="something else"):
        with_precision_fallback("a", broken, torch.float16)
    with pytest.raises(NonFiniteOutputError):
        with_precision_fallback("b", lambda d: (_ for _ in ()).throw(NonFiniteOutputError("nan")), torch.float32)


def test_streaming_fallback_restarts_in_float32():
    def stream(dtype):
        yield f"first {dtype}"
        if dtype == torch.bfloat16:
            raise NonFiniteOutputError("nan")
        yield "second"

    assert list(stream_with_precision_fallback("s", stream, torch.bfloat16, lambda m: None)) == [
        "first torch.bfloat16", "first torch.float32", "second"]
    assert "s" in device._half_failed


def test_text_model_forced_to_half_on_cpu_falls_back_on_nan(tiny_checkpoints, monkeypatch):
    """AIGC_DTYPE=float16 on CPU; NaN logits injected into the half model -> float32 reload, same answer as fp32."""
    from aigc_demo.pipelines.text import GenerationSettings, stream_text, text_pipeline

    monkeypatch.setenv("AIGC_DTYPE", "float16")
    half = text_pipeline("gpt2-austen")
    assert half.model.dtype == torch.float16
    original_forward = half.model.forward
    monkeypatch.setattr(half.model, "forward", lambda *a, **k: poison(original_forward(*a, **k)))
    warnings = []
    settings = GenerationSettings(max_new_tokens=8, temperature=0)
    chunk, pipeline = list(stream_text("gpt2-austen", "Emma", settings, seed=1, warn=warnings.append))[-1]
    assert pipeline.model.dtype == torch.float32 and warnings
    monkeypatch.setenv("AIGC_DTYPE", "float32")
    assert chunk.text == list(stream_text("gpt2-austen", "Emma", settings, seed=1))[-1][0].text


def poison(output):
    output.logits = output.logits * float("nan")
    return output
