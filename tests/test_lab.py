"""The Model Lab: dashboard rows from model cards, quick re-measure, measured compression, the /compress API."""
import math
import shutil

import pytest
import yaml

from aigc_demo.checkpoints import checkpoints_dir
from aigc_demo.errors import UserInputError
from aigc_demo.lab import compress as compression
from aigc_demo.lab.dashboard import NOT_MEASURED, dashboard_rows, remeasure
from aigc_demo.lab.data import DataUnavailableError
from tests.conftest import served_app


@pytest.fixture(scope="module")
def lab_data(tmp_path_factory, corpus_file):
    """A 400-image Fashion-MNIST-shaped test set (enough for 20 per class) and the tiny corpus as Austen text."""
    import os

    from aigc_demo.data.fashion_mnist import IMAGES_MAGIC, LABELS_MAGIC, write_idx
    from tests.conftest import structured_images

    root = tmp_path_factory.mktemp("lab-fashion-mnist")
    images, labels = structured_images(400, 2)
    write_idx(root / "t10k-images-idx3-ubyte.gz", images, IMAGES_MAGIC)
    write_idx(root / "t10k-labels-idx1-ubyte.gz", labels, LABELS_MAGIC)
    saved = {key: os.environ.get(key) for key in ("AIGC_FASHION_MNIST", "AIGC_AUSTEN_TEXT")}
    os.environ.update(AIGC_FASHION_MNIST=str(root), AIGC_AUSTEN_TEXT=str(corpus_file))
    yield root
    for key, value in saved.items():
        os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)


def carded_copy(tiny_checkpoints, tmp_path, monkeypatch):
    """The tiny checkpoints with a model card and training record for dcgan, as the eval writes them."""
    import json

    root = tmp_path / "checkpoints"
    shutil.copytree(tiny_checkpoints, root)
    front = {"license": "mit", "data": "Fashion-MNIST (MIT)", "metrics": {"label_accuracy": 0.5, "frechet_distance": 99.0,
                                                                          "diversity": 1.5}}
    (root / "dcgan" / "README.md").write_text(f"---\n{yaml.safe_dump(front)}---\n\n# dcgan\n")
    (root / "dcgan" / "training.json").write_text(json.dumps(
        {"family": "dcgan", "wall_seconds": 150, "hardware": "one NVIDIA H200 GPU"}))
    monkeypatch.setenv("AIGC_CHECKPOINTS", str(root))
    return root


def test_dashboard_has_a_row_per_checkpoint_and_says_not_measured(tiny_checkpoints):
    rows = {row[0]: row for row in dashboard_rows()}
    assert set(rows) == {p.name for p in tiny_checkpoints.iterdir() if p.is_dir()}
    assert rows["dcgan"][1] == "dcgan" and rows["fashion-judge"][1] == "classifier"
    assert rows["dcgan"][4] == NOT_MEASURED and rows["dcgan"][5] == NOT_MEASURED


def test_dashboard_reads_card_and_remeasure_shows_the_difference(tiny_checkpoints, lab_data, tmp_path, monkeypatch):
    carded_copy(tiny_checkpoints, tmp_path, monkeypatch)
    row = {r[0]: r for r in dashboard_rows()}["dcgan"]
    assert row[2:] == ["Fashion-MNIST (MIT)", "mit", "label_accuracy 0.5, frechet_distance 99.0, diversity 1.5", 2.5, "GPU"]
    table = {r[0]: r for r in remeasure("dcgan")}
    card, measured, difference = table["label_accuracy"][1:]
    assert card == 0.5 and 0 <= measured <= 1 and difference == pytest.approx(measured - 0.5, abs=1e-4)
    assert math.isfinite(table["frechet_distance"][2])


def test_remeasure_gpt2_and_clear_messages(tiny_checkpoints, lab_data, tmp_path, monkeypatch):
    perplexity = {r[0]: r for r in remeasure("gpt2-austen")}["perplexity"]
    assert perplexity[1] == NOT_MEASURED and perplexity[2] > 1
    with pytest.raises(UserInputError, match="no quick evaluation"):
        remeasure("cyclegan-sneaker2boot")  # no training record: direction unknown
    with pytest.raises(UserInputError, match="not one"):
        remeasure("../etc")
    mystery = checkpoints_dir() / "mystery"
    mystery.mkdir()
    (mystery / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(UserInputError, match="no evaluator for 'mystery'"):
        remeasure("mystery")
    monkeypatch.setenv("AIGC_FASHION_MNIST", str(tmp_path))
    with pytest.raises(DataUnavailableError, match="Fashion-MNIST test images are not on this server"):
        remeasure("dcgan")


@pytest.mark.parametrize("model", compression.MODELS)
@pytest.mark.parametrize("method", compression.METHODS)
def test_compression_is_measured_before_and_after(tiny_checkpoints, lab_data, model, method):
    result = compression.compress(model, method, 0.5)
    before, after = (dict(zip(result.columns, row)) for row in result.rows)
    quality = compression.QUALITY_COLUMNS[model]
    assert all(math.isfinite(row[q]) for row in (before, after) for q in quality)
    assert before["latency (ms)"] > 0 and after["latency (ms)"] > 0
    if method.endswith("prune"):
        assert after["sparsity"] == pytest.approx(0.5, abs=0.03)
        assert after["size gzipped (MB)"] < before["size gzipped (MB)"]  # dense zeros compress
    if method == "int8-dynamic":
        assert after["size (MB)"] < 0.7 * before["size (MB)"]
    if method == "fp16":
        assert after["size (MB)"] == pytest.approx(before["size (MB)"] / 2, rel=0.1)
    assert result.model is not compression.baseline(model, str(tiny_checkpoints))[0].model  # the original is intact


def test_conv1d_to_linear_keeps_gpt2_outputs(tiny_checkpoints):
    import torch

    subject = compression.load_subject("gpt2-austen")
    from transformers import AutoModelForCausalLM

    original = AutoModelForCausalLM.from_pretrained(tiny_checkpoints / "gpt2-austen", dtype=torch.float32).eval()
    ids = subject.workload[0]
    with torch.no_grad():
        torch.testing.assert_close(subject.model(ids).logits, original(ids).logits, rtol=1e-4, atol=1e-4)


def test_bad_requests_are_refused_clearly(tiny_checkpoints, lab_data):
    from aigc_demo.ui.lab import compress as compress_handler

    table, _, _ = compress_handler("dcgan", "magnitude-prune", 5)  # Python callers get the slider's clamp
    assert table.iloc[1]["variant"] == "magnitude-prune 0.95"
    with pytest.raises(UserInputError, match="Pick a method"):
        compression.compress("gpt2-austen", "zip", 0.5)
    with pytest.raises(UserInputError, match="Pick a model"):
        compression.compress("bert", "fp16", 0.5)
    with pytest.raises(UserInputError, match="between 0 and 0.95"):
        compression.compress("dcgan", "magnitude-prune", 5)


# ----------------------------------------------------------------------------- through the app
@pytest.fixture(scope="module")
def client(tiny_checkpoints, lab_data):
    from gradio_client import Client

    with served_app() as url:
        yield Client(url, verbose=False)


def test_compress_api_contract(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert not {"/dashboard_table", "/trainer_line"} & set(endpoints)  # page-load fillers are not API tools
    params = endpoints["/compress"]["parameters"]
    assert [p["parameter_name"] for p in params] == ["model", "method", "amount"]
    assert all(p["parameter_has_default"] for p in params)
    table, summary = client.predict(model="dcgan", method="int8-dynamic", amount=0.5, api_name="/compress")
    assert table["headers"] == compression.columns("dcgan") and len(table["data"]) == 2
    assert table["data"][1][0] == "int8-dynamic" and "Measured on this machine" in summary


def test_amount_out_of_range_is_refused_and_the_compressed_model_can_be_tried(client):
    with pytest.raises(Exception, match="greater than maximum value 0.95"):
        client.predict(model="dcgan", method="magnitude-prune", amount=5, api_name="/compress")
    table, _ = client.predict(model="dcgan", method="magnitude-prune", amount=0.95, api_name="/compress")
    after = dict(zip(table["headers"], table["data"][1]))
    assert after["variant"] == "magnitude-prune 0.95" and after["sparsity"] == pytest.approx(0.95, abs=0.01)
    text, gallery, caption = client.predict("", 3, api_name="/try_compressed")
    assert len(gallery) == 10 and "magnitude-prune 0.95" in caption and text == ""


def test_lab_errors_are_one_sentence(client):
    from gradio_client import Client

    with pytest.raises(Exception) as error:
        client.predict(model="dcgan", method="zip", amount=0.5, api_name="/compress")
    assert "not in the list of choices" in str(error.value) and "Traceback" not in str(error.value)
    fresh = Client(client.src, verbose=False)
    with pytest.raises(Exception, match="Compress a model first"):
        fresh.predict("Emma", 1, api_name="/try_compressed")
    table, note = client.predict("gpt2-austen", api_name="/remeasure")
    assert table["data"][0][0] == "perplexity" and "quick evaluation" in note


def test_bench_lab_prints_one_table_per_model(tiny_checkpoints, lab_data, capsys):
    from aigc_demo.bench.lab import main as bench

    bench(["--models", "dcgan", "--methods", "int8-dynamic", "structured-prune", "--amount", "0.25"])
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| variant | size (MB)") and len(table) == 4  # header, original, two methods
    assert table[1].startswith("| original") and table[3].startswith("| structured-prune 0.25 |")


# ----------------------------------------------------------------------------- live training
class FakeRequest:
    session_hash = "session-a"


@pytest.mark.parametrize("family, penalty, schedule, batch_norm", [("dcgan", True, "ttur", False),
                                                                   ("dcgan", False, "cosine", True),
                                                                   ("vae", False, "none", True)])
def test_live_training_streams_losses_and_hands_over_the_model(idx_root, monkeypatch, family, penalty, schedule,
                                                                batch_norm):
    from aigc_demo.lab.training import trainer_status
    from aigc_demo.ui.lab import train_live, try_trained

    monkeypatch.setenv("AIGC_FASHION_MNIST", str(idx_root))
    updates = list(train_live(family, 6, penalty, schedule, batch_norm, FakeRequest()))
    plot, grid, status, trained = updates[-1]
    assert plot["step"].max() == 6 and len(set(plot["series"])) == 2 and plot["loss"].notna().all()
    assert grid.size == (484, 604) and "Step 6 of 6" in status and "finished" in status
    assert trained["name"] == family and trainer_status() == "The trainer is free"
    gallery, caption = try_trained(trained, 2)
    assert len(gallery) == 10 and "trained here, 6 steps" in caption


def test_one_training_run_per_server_and_stop(idx_root):
    from aigc_demo.lab.training import LiveSettings, start_training, stop_training, trainer_status

    run = start_training(LiveSettings(family="dcgan", steps=300, gradient_penalty=True), idx_root, owner="a")
    try:
        with pytest.raises(UserInputError, match="The trainer is busy: a dcgan run"):
            start_training(LiveSettings(family="vae", steps=5), idx_root, owner="b")
        assert not stop_training("b")  # only the run's own session can stop it
        assert stop_training("a")
        snapshot = run.wait(30)
        while not snapshot.done:
            snapshot = run.wait(30)
    finally:
        run.stop()
    assert snapshot.stopped and snapshot.step < 300 and snapshot.model is not None
    assert trainer_status() == "The trainer is free"


def test_live_training_refuses_bad_settings(idx_root):
    from aigc_demo.lab.training import LiveSettings, start_training

    with pytest.raises(UserInputError, match="Pick a model to train"):
        start_training(LiveSettings(family="gan"), idx_root)
    with pytest.raises(UserInputError, match="between 1 and 300 steps"):
        start_training(LiveSettings(steps=10_000), idx_root)


def test_gpt2_compression_needs_no_austen_data_on_the_server(tiny_checkpoints, monkeypatch):
    from aigc_demo.data.austen import EXCERPT_FILE

    monkeypatch.delenv("AIGC_AUSTEN_TEXT", raising=False)
    monkeypatch.setenv("AIGC_AUSTEN_RDB", "/nonexistent/Rdata.rdb")
    assert len(EXCERPT_FILE.read_text(encoding="utf-8")) == 20_000  # the held-out excerpt ships in assets/
    result = compression.compress("gpt2-austen", "fp16", 0.5)
    rows = [dict(zip(result.columns, row)) for row in result.rows]
    assert all(math.isfinite(row[q]) for row in rows for q in ("perplexity", "bits per char"))
