"""Quality metrics shared by training (periodic evaluation) and `python -m aigc_demo.eval`."""
from __future__ import annotations

import math

import torch


@torch.no_grad()
def language_model_metrics(model, tokenizer, text: str, context: int, max_windows: int | None = None) -> dict:
    """Held-out loss, per-token perplexity and bits per character of a causal LM on `text`.

    The text is cut into non-overlapping windows of `context` tokens; every token but each
    window's first is predicted, and bits per character divides the total negative
    log-likelihood by the characters those predicted tokens cover, so the figure compares
    fairly across tokenizers of different vocabularies.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    ids = torch.tensor(tokenizer(text)["input_ids"], dtype=torch.long)
    windows = ids[: len(ids) // context * context].view(-1, context)
    if max_windows is not None:
        windows = windows[:max_windows]
    total_nll, total_tokens, total_chars = 0.0, 0, 0
    for batch in windows.split(8):
        logits = model(input_ids=batch.to(device)).logits.float()
        nll = torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, logits.size(-1)), batch[:, 1:].reshape(-1).to(device), reduction="sum"
        )
        total_nll += nll.item()
        total_tokens += batch[:, 1:].numel()
        total_chars += sum(len(tokenizer.decode(row[1:])) for row in batch)
    model.train(was_training)
    loss = total_nll / total_tokens
    return {
        "heldout_loss": round(loss, 4),
        "perplexity": round(math.exp(loss), 2),
        "bits_per_char": round(total_nll / math.log(2) / total_chars, 4),
        "heldout_tokens": total_tokens,
        "heldout_chars": total_chars,
    }
