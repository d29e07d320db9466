"""Text generation: a prompt in, streamed text out, reproducible from the seed.

We run our own sampling loop over the model's KV cache (rather than `model.generate`) so that
sampling draws on the request's own torch.Generator, text streams token by token, a Stop can
end it between tokens, and NaN/inf logits are caught for the half-precision fallback.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable, Iterator

import torch

from aigc_demo.device import check_finite, pick_device, pick_dtype, stream_with_precision_fallback
from aigc_demo.errors import UserInputError
from aigc_demo.models.language import load_language_model
from aigc_demo.registry import registry
from aigc_demo.seeding import torch_generator

REPLACEMENT_CHAR = "\ufffd"


@dataclass
class GenerationSettings:
    max_new_tokens: int = 120
    temperature: float = 0.8  # 0 = greedy
    top_k: int = 50  # 0 = off
    top_p: float = 0.95  # 1 = off
    repetition_penalty: float = 1.1  # 1 = off

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class TextChunk:
    """Streaming state after each token: the text so far and the speed so far."""
    text: str
    new_tokens: int
    seconds: float
    prompt_truncated: bool
    finished: bool = False

    @property
    def tokens_per_second(self) -> float:
        return self.new_tokens / self.seconds if self.seconds > 0 else 0.0


class TextGenerationPipeline:
    def __init__(self, model, tokenizer, context_length: int, name: str = "", checkpoint: str = ""):
        self.model, self.tokenizer, self.context_length = model, tokenizer, context_length
        self.name, self.checkpoint = name, checkpoint

    def __call__(self, prompt: str, settings: GenerationSettings, generator: torch.Generator) -> TextChunk:
        chunk = None
        for chunk in self.stream(prompt, settings, generator):
            pass
        return chunk

    def stream(self, prompt: str, settings: GenerationSettings, generator: torch.Generator,
               should_stop: Callable[[], bool] = lambda: False) -> Iterator[TextChunk]:
        # 1. Encode the prompt (with the chat template for instruction-tuned models) and fit the context.
        prompt_ids, truncated, max_new = self.encode_prompt(prompt, settings.max_new_tokens)
        processors = logits_processors(settings)
        device = next(self.model.parameters()).device
        all_ids = torch.tensor([prompt_ids], dtype=torch.long)
        step_input, cache, new_ids = all_ids.to(device), None, []
        start = time.perf_counter()
        # 2. Decode one token at a time over the KV cache.
        for _ in range(max_new):
            if should_stop():
                break
            with torch.inference_mode():
                output = self.model(input_ids=step_input, cache=cache, use_cache=True)
            cache = output.cache
            logits = check_finite(output.logits[:, -1, :].float().cpu(), "logits")
            next_id = sample_next(processors(all_ids, logits), settings.temperature, generator)
            if next_id == self.tokenizer.eos_token_id:
                break
            new_ids.append(next_id)
            all_ids = torch.cat([all_ids, torch.tensor([[next_id]])], dim=1)
            step_input = all_ids[:, -1:].to(device)
            # 3. Emit text only once it decodes cleanly: a multibyte character split across
            #    byte-level tokens decodes to U+FFFD until its last byte arrives.
            text = self.tokenizer.decode(new_ids, skip_special_tokens=True)
            if not text.endswith(REPLACEMENT_CHAR):
                yield TextChunk(text, len(new_ids), time.perf_counter() - start, truncated)
        text = self.tokenizer.decode(new_ids, skip_special_tokens=True).rstrip(REPLACEMENT_CHAR)
        yield TextChunk(text, len(new_ids), time.perf_counter() - start, truncated, finished=True)

    def encode_prompt(self, prompt: str, max_new_tokens: int) -> tuple[list[int], bool, int]:
        """Prompt ids cut from the left so prompt + new tokens fit the context; new tokens capped too."""
        if not prompt or not prompt.strip():
            raise UserInputError("Write a prompt first: the text box is empty.")
        # Only the end of the prompt can fit; don't tokenize megabytes to throw them away.
        prompt = prompt[-self.context_length * 16:]
        if getattr(self.tokenizer, "chat_template", None):
            ids = self.tokenizer.apply_chat_template([{"role": "user", "content": prompt}],
                                                     add_generation_prompt=True, tokenize=True)
            ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
        else:
            ids = self.tokenizer(prompt)["input_ids"]
        ids = list(ids)
        max_new = max(1, min(int(max_new_tokens), self.context_length - 1))
        room = self.context_length - max_new
        truncated = len(ids) > room
        return ids[-room:], truncated, max_new


def logits_processors(settings: GenerationSettings):
    # Imported here so that starting the app doesn't pay for importing transformers.
    from transformers import (LogitsProcessorList, RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper,
                              TopKLogitsWarper, TopPLogitsWarper)

    processors = LogitsProcessorList()
    if settings.repetition_penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(settings.repetition_penalty))
    if settings.temperature > 0:
        processors.append(TemperatureLogitsWarper(settings.temperature))
        if settings.top_k > 0:
            processors.append(TopKLogitsWarper(settings.top_k))
        if settings.top_p < 1.0:
            processors.append(TopPLogitsWarper(settings.top_p))
    return processors


def sample_next(scores: torch.Tensor, temperature: float, generator: torch.Generator) -> int:
    if temperature <= 0:
        return int(scores.argmax(dim=-1))
    probabilities = torch.softmax(scores, dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator))


def text_pipeline(name: str, dtype: torch.dtype | None = None) -> TextGenerationPipeline:
    """The cached pipeline for a model name, loaded on first use on the app's device."""
    device = pick_device()
    dtype = dtype or pick_dtype(device)
    lm = registry.get(("text", name, str(device), dtype), lambda: load_language_model(name, device, dtype))
    return TextGenerationPipeline(lm.model, lm.tokenizer, lm.context_length, lm.name, lm.checkpoint)


def stream_text(name: str, prompt: str, settings: GenerationSettings, seed: int,
                warn: Callable[[str], object] = print,
                should_stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[TextChunk, TextGenerationPipeline]]:
    """Stream (chunk, pipeline) for one request, with its own generator and the half-precision fallback."""
    def attempt(dtype: torch.dtype):
        pipeline = text_pipeline(name, dtype)
        for chunk in pipeline.stream(prompt, settings, torch_generator(seed), should_stop):
            yield chunk, pipeline

    yield from stream_with_precision_fallback(("text", name), attempt, pick_dtype(pick_device()), warn)
