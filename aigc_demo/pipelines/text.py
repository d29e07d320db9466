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
from aigc_demo.models.decoders import decoder_for
from aigc_demo.models.language import load_language_model
from aigc_demo.registry import registry
from aigc_demo.seeding import torch_generator

REPLACEMENT_CHAR = "\ufffd"


@dataclass
class GenerationSettings:
    """One request's sampling settings; the defaults are the UI's and the API's."""
    max_new_tokens: int = 160
    temperature: float = 0.7  # 0 = greedy
    top_k: int = 50  # 0 = off
    top_p: float = 0.95  # 1 = off
    repetition_penalty: float = 1.1  # 1 = off

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def clamped(cls, max_new_tokens, temperature, top_k, top_p, repetition_penalty) -> "GenerationSettings":
        """Settings from UI or API values, each clamped to its range in RANGES."""
        values = dict(max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                      repetition_penalty=repetition_penalty)
        for name, (low, high, step) in RANGES.items():
            try:
                value = float(values[name])
            except (TypeError, ValueError):
                raise UserInputError(f"{name} must be a number between {low} and {high}, "
                                     f"not {str(values[name])[:40]!r}.") from None
            if value != value:
                raise UserInputError(f"{name} must be a number between {low} and {high}, not NaN.")
            value = min(max(value, low), high)
            values[name] = int(value) if isinstance(step, int) else value
        return cls(**values)


# (lowest, highest, slider step) for each setting: the sliders and the API clamps both read these.
RANGES = {
    "max_new_tokens": (1, 1024, 1),
    "temperature": (0.0, 2.0, 0.05),
    "top_k": (0, 1000, 1),
    "top_p": (0.01, 1.0, 0.01),
    "repetition_penalty": (1.0, 2.0, 0.01),
}


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

    def stream(self, prompt: str | list[dict], settings: GenerationSettings, generator: torch.Generator,
               should_stop: Callable[[], bool] = lambda: False) -> Iterator[TextChunk]:
        """`prompt` is text, or a chat as a list of {"role", "content"} messages for models with a chat template."""
        # 1. Encode the prompt (with the chat template for instruction-tuned models) and fit the context.
        prompt_ids, truncated, max_new = self.encode_prompt(prompt, settings.max_new_tokens)
        decoder, stop_ids = decoder_for(self.model), self.stop_ids
        all_ids = torch.tensor([prompt_ids], dtype=torch.long)
        new_ids: list[int] = []
        start = time.perf_counter()
        logits = decoder.start(prompt_ids)
        # 2. Sample one token at a time; the engine keeps its own cache.
        for _ in range(max_new):
            if should_stop():
                break
            next_id = sample_next(check_finite(logits, "logits"), all_ids, settings, generator)
            if next_id in stop_ids:
                break
            new_ids.append(next_id)
            all_ids = torch.cat([all_ids, torch.tensor([[next_id]])], dim=1)
            # 3. Emit text only once it decodes cleanly: a multibyte character split across
            #    byte-level tokens decodes to U+FFFD until its last byte arrives.
            text = self.tokenizer.decode(new_ids, skip_special_tokens=True)
            if not text.endswith(REPLACEMENT_CHAR):
                yield TextChunk(text, len(new_ids), time.perf_counter() - start, truncated)
            if len(new_ids) < max_new:
                logits = decoder.advance(next_id)
        text = self.tokenizer.decode(new_ids, skip_special_tokens=True).rstrip(REPLACEMENT_CHAR)
        yield TextChunk(text, len(new_ids), time.perf_counter() - start, truncated, finished=True)

    @property
    def stop_ids(self) -> set[int]:
        """End of text, and for chat models the end of a turn (SmolLM2 ends its answers with <|im_end|>)."""
        ids = {self.tokenizer.eos_token_id}
        if self.chat:
            end_of_turn = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
            if isinstance(end_of_turn, int) and end_of_turn != self.tokenizer.unk_token_id:
                ids.add(end_of_turn)
        return ids - {None}

    @property
    def chat(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    @property
    def precision(self) -> str:
        """The weights' format as the run card states it: a torch dtype, or the GGUF quantisation for llama.cpp."""
        dtype = getattr(self.model, "dtype", "")
        return str(dtype).removeprefix("torch.")

    @property
    def device(self) -> str:
        """Where the weights run: llama.cpp here is a CPU build; a torch model says its own device."""
        if self.engine == "llama.cpp":
            return "cpu"
        return str(next(self.model.parameters()).device)

    @property
    def engine(self) -> str:
        return getattr(self.model, "engine", "transformers")

    def encode_prompt(self, prompt: str | list[dict], max_new_tokens: int) -> tuple[list[int], bool, int]:
        """Prompt ids cut from the left so prompt + new tokens fit the context; new tokens capped too."""
        max_new = max(1, min(int(max_new_tokens), self.context_length - 1))
        room = self.context_length - max_new
        if isinstance(prompt, list):
            return (*self.encode_chat(prompt, room), max_new)
        if not prompt or not prompt.strip():
            raise UserInputError("Write a prompt first: the text box is empty.")
        # Only the end of the prompt can fit; don't tokenize megabytes to throw them away.
        prompt = prompt[-self.context_length * 16:]
        if self.chat:
            ids = self.template([{"role": "user", "content": prompt}])
        else:
            ids = list(self.tokenizer(prompt)["input_ids"])
        truncated = len(ids) > room
        return ids[-room:], truncated, max_new

    def encode_chat(self, messages: list[dict], room: int) -> tuple[list[int], bool]:
        """A chat's ids under the model's chat template; the oldest turns after the system message are dropped
        until it fits (the latest message always stays, cut from the left if it alone is too long)."""
        if not self.chat:
            raise UserInputError(f"{self.name or 'This model'} has no chat template; chat with an instruct model.")
        system = [m for m in messages[:1] if m["role"] == "system"]
        turns = messages[len(system):]
        dropped = 0
        # Turns far beyond what the context holds are dropped before any tokenizing (a token is rarely under 2 chars).
        budget, keep = room * 16, len(turns)
        while keep > 1 and sum(len(m["content"]) for m in turns[len(turns) - keep:]) > budget:
            keep -= 1
        if keep < len(turns):
            turns, dropped = turns[len(turns) - keep:], 1
        if system:
            system = [{"role": "system", "content": system[0]["content"][-room * 16:]}]
        turns = [dict(m, content=m["content"][-room * 16:]) for m in turns]
        ids = self.template(system + turns)
        while len(ids) > room and len(turns) > 1:
            turns = turns[2:] if len(turns) > 2 else turns[1:]
            dropped += 1
            ids = self.template(system + turns)
        return ids[-room:], bool(dropped) or len(ids) > room

    def template(self, messages: list[dict]) -> list[int]:
        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
        return list(ids)


def sample_next(logits: torch.Tensor, previous: torch.Tensor, settings: GenerationSettings,
                generator: torch.Generator) -> int:
    """The next token id from one row of logits: repetition penalty, then greedy or temperature, top-k and top-p
    sampling with the request's generator. Top-p works on the top-k candidates only, so no step sorts the whole
    vocabulary (that sort was a sixth of a token's time on llama.cpp)."""
    scores = logits[0]
    if settings.repetition_penalty != 1.0:
        seen = previous[0].unique()
        picked = scores[seen]
        scores = scores.clone()
        scores[seen] = torch.where(picked < 0, picked * settings.repetition_penalty,
                                   picked / settings.repetition_penalty)
    if settings.temperature <= 0:
        return int(scores.argmax())
    scores = scores / settings.temperature
    k = settings.top_k if 0 < settings.top_k < scores.numel() else scores.numel()
    values, indices = scores.topk(k)  # sorted, best first
    probabilities = torch.softmax(values, dim=-1)
    if settings.top_p < 1.0:
        before = probabilities.cumsum(dim=-1) - probabilities  # mass of the better candidates
        probabilities = probabilities.masked_fill(before >= settings.top_p, 0.0)
    return int(indices[torch.multinomial(probabilities, 1, generator=generator)])


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
