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


def frechet_distance(features_a, features_b) -> float:
    """Frechet distance between Gaussians fitted to two feature sets [N, D] (FID's formula, our features)."""
    import numpy as np
    from scipy import linalg

    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
    if not np.isfinite(covmean).all():  # near-singular product: regularise, as pytorch-fid does
        offset = np.eye(len(cov_a)) * 1e-6
        covmean = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * covmean.real))


def feature_diversity(features, labels) -> float:
    """Mean pairwise distance between same-class samples in judge-feature space (higher = more varied).

    Measured within classes so a model can't score well by mixing classes; mode collapse inside a
    class shows up as a low figure.
    """
    import numpy as np

    features, labels = np.asarray(features, np.float64), np.asarray(labels)
    distances = []
    for label in np.unique(labels):
        group = features[labels == label]
        if len(group) < 2:
            continue
        squared = (group ** 2).sum(1)
        pairwise = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * group @ group.T, 0))
        distances.append(pairwise[np.triu_indices(len(group), 1)].mean())
    return float(np.mean(distances))


@torch.no_grad()
def judge_images(judge, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(features, predicted labels) of images [N, 1, 28, 28] in [-1, 1] under the judge classifier."""
    judge.eval()
    features = torch.cat([judge.features(batch) for batch in images.split(500)])
    return features, judge.head(features).argmax(1)
