"""Training: smoke run writes a Hugging Face checkpoint that stock transformers loads; resume continues."""
import json

import pytest
import torch

from aigc_demo.train.gpt2 import main as train
from aigc_demo.train_state import load_training_state, save_training_state


def test_smoke_training_writes_a_loadable_checkpoint(tiny_checkpoints):
    from transformers import pipeline

    folder = tiny_checkpoints / "gpt2-austen"
    for name in ("config.json", "model.safetensors", "tokenizer.json", "generation_config.json", "training.json"):
        assert (folder / name).is_file(), name
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt"))
    generator = pipeline("text-generation", model=str(folder))
    out = generator("It is a truth", max_new_tokens=5, do_sample=False)[0]["generated_text"]
    assert out.startswith("It is a truth") and len(out) > len("It is a truth")
    record = json.loads((folder / "training.json").read_text())
    losses = [e["heldout_loss"] for e in record["learning_curve"]]
    assert losses[-1] < losses[0]  # it learned something even in 20 steps


def test_resume_continues_from_the_saved_step(tmp_path, corpus_file):
    common = ["--smoke", "--text-file", str(corpus_file), "--out", str(tmp_path / "out"),
              "--state-dir", str(tmp_path / "state")]
    train(common + ["--max-steps", "6"])
    train(common + ["--max-steps", "9", "--resume"])
    state = json.loads((tmp_path / "state" / "state.json").read_text())
    assert state["extra"]["step"] == 9
    steps = [e["step"] for e in json.loads((tmp_path / "out" / "training.json").read_text())["learning_curve"]]
    assert steps == [3, 6, 9]


def test_training_state_round_trips_through_safetensors(tmp_path):
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1)
    model(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    save_training_state(tmp_path, model, optimizer, {"step": 1})
    twin = torch.nn.Linear(3, 2)
    twin_optimizer = torch.optim.AdamW(twin.parameters(), lr=0.1)
    assert load_training_state(tmp_path, twin, twin_optimizer) == {"step": 1}
    assert torch.equal(twin.weight, model.weight)
    assert torch.equal(twin_optimizer.state_dict()["state"][0]["exp_avg"], optimizer.state_dict()["state"][0]["exp_avg"])


def test_strict_loading_fails_loudly_on_a_missing_key(tmp_path):
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.AdamW(model.parameters())
    save_training_state(tmp_path, model, optimizer, {})
    with pytest.raises(RuntimeError, match="Missing key"):
        load_training_state(tmp_path, torch.nn.Sequential(torch.nn.Linear(3, 2)), optimizer)
