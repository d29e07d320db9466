"""DCGAN and conditional VAE: shapes, strict save/load round trips, seeded sampling, smoke training and resume."""
import json

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

from aigc_demo.models.dcgan import DCGANDiscriminator, DCGANGenerator
from aigc_demo.models.vae import ConditionalVAE
from aigc_demo.train.dcgan import main as train_dcgan
from aigc_demo.train.vae import main as train_vae

TINY_GAN = {"latent_dim": 8, "num_classes": 10, "base_channels": 8}
TINY_VAE = {"latent_dim": 4, "num_classes": 10, "base_channels": 8}


def seeded_noise(seed: int, n: int = 4, dim: int = 8) -> torch.Tensor:
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


LABELS = torch.tensor([0, 3, 7, 9])


# ----------------------------------------------------------------------------- models
@pytest.mark.parametrize("batch_norm", [True, False])
def test_dcgan_shapes_and_range(batch_norm):
    generator = DCGANGenerator(**TINY_GAN, batch_norm=batch_norm)
    images = generator(seeded_noise(0), LABELS)
    assert images.shape == (4, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    logits = DCGANDiscriminator(num_classes=10, base_channels=8, batch_norm=batch_norm)(images, LABELS)
    assert logits.shape == (4,)


def test_discriminator_is_class_conditional_and_returns_logits():
    discriminator = DCGANDiscriminator(num_classes=10, base_channels=8, batch_norm=False)
    with torch.no_grad():
        discriminator.label_projection.weight.mul_(100)  # make the class term dominate
    images = torch.zeros(2, 1, 28, 28).uniform_(-1, 1, generator=torch.Generator().manual_seed(0))
    same, other = discriminator(images, torch.tensor([0, 0])), discriminator(images, torch.tensor([5, 5]))
    assert not torch.allclose(same, other)
    assert (torch.cat([same, other]).abs() > 1).any()  # unbounded scores: no sigmoid at the end


def test_vae_shapes_and_range():
    vae = ConditionalVAE(**TINY_VAE)
    x = torch.rand(4, 1, 28, 28) * 2 - 1
    mu, logvar = vae.encode(x, LABELS)
    assert mu.shape == logvar.shape == (4, 4)
    recon, mu2, logvar2 = vae(x, LABELS, generator=torch.Generator().manual_seed(0))
    assert recon.shape == (4, 1, 28, 28) and recon.min() >= -1 and recon.max() <= 1
    assert torch.equal(mu, mu2) and torch.equal(logvar, logvar2)
    decoded = vae.decode(seeded_noise(0, dim=4), LABELS)
    assert decoded.shape == (4, 1, 28, 28) and decoded.min() >= -1 and decoded.max() <= 1


def test_same_seed_same_images_and_different_seed_different_images():
    generator, vae = DCGANGenerator(**TINY_GAN).eval(), ConditionalVAE(**TINY_VAE).eval()
    assert torch.equal(generator(seeded_noise(7), LABELS), generator(seeded_noise(7), LABELS))
    assert not torch.equal(generator(seeded_noise(7), LABELS), generator(seeded_noise(8), LABELS))
    x = torch.zeros(4, 1, 28, 28)
    first, again, other = (vae(x, LABELS, generator=torch.Generator().manual_seed(s))[0] for s in (7, 7, 8))
    assert torch.equal(first, again) and not torch.equal(first, other)


def save_and_reload(model, folder):
    model.save_pretrained(folder)
    assert {p.name for p in folder.iterdir()} >= {"config.json", "model.safetensors"}
    return type(model).from_pretrained(folder, strict=True)


def test_dcgan_round_trip_keeps_config_weights_and_batch_norm_statistics(tmp_path):
    torch.manual_seed(0)
    generator = DCGANGenerator(**TINY_GAN)
    generator(seeded_noise(1), LABELS)  # a train-mode pass moves the running statistics off their defaults
    generator.eval()
    loaded = save_and_reload(generator, tmp_path)
    assert json.loads((tmp_path / "config.json").read_text()) == {**TINY_GAN, "batch_norm": True}
    assert torch.equal(loaded(seeded_noise(2), LABELS), generator(seeded_noise(2), LABELS))


def test_vae_round_trip_gives_identical_outputs(tmp_path):
    torch.manual_seed(0)
    vae = ConditionalVAE(**TINY_VAE).eval()
    loaded = save_and_reload(vae, tmp_path)
    x = torch.rand(4, 1, 28, 28) * 2 - 1
    outputs = [m(x, LABELS, generator=torch.Generator().manual_seed(3)) for m in (vae, loaded)]
    assert all(torch.equal(a, b) for a, b in zip(*outputs))


@pytest.mark.parametrize("model", [DCGANGenerator(**TINY_GAN), ConditionalVAE(**TINY_VAE)], ids=["dcgan", "vae"])
def test_strict_loading_fails_loudly_on_a_missing_key(tmp_path, model):
    model.save_pretrained(tmp_path)
    weights = load_file(tmp_path / "model.safetensors")
    weights.pop(sorted(weights)[0])
    save_file(weights, tmp_path / "model.safetensors")
    with pytest.raises(RuntimeError, match="Missing key"):
        type(model).from_pretrained(tmp_path, strict=True)


# ----------------------------------------------------------------------------- training
def smoke(train, idx_root, tmp_path, *extra: str) -> list[str]:
    argv = ["--smoke", "--data-root", str(idx_root), "--out", str(tmp_path / "out"),
            "--state-dir", str(tmp_path / "state"), *extra]
    train(argv)
    return argv


def assert_checkpoint(folder, family: str) -> dict:
    assert {"config.json", "model.safetensors", "training.json"} <= {p.name for p in folder.iterdir()}
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt"))
    record = json.loads((folder / "training.json").read_text())
    assert record["family"] == family and record["data"]["source"] == "fashion_mnist"
    assert record["data"]["train_images"] == 64
    assert record["settings"] == json.loads((folder / "config.json").read_text())
    assert record["command"].startswith(f"python -m aigc_demo.train {family} --smoke")
    return record


@pytest.mark.parametrize("extra", [[], ["--gradient-penalty"], ["--no-batch-norm", "--lr-schedule", "ttur"]],
                         ids=["standard", "wgan-gp", "no-batch-norm"])
def test_dcgan_smoke_training_writes_a_strictly_loadable_checkpoint(idx_root, tmp_path, extra):
    smoke(train_dcgan, idx_root, tmp_path, *extra)
    record = assert_checkpoint(tmp_path / "out", "dcgan")
    assert record["switches"] == {"gradient_penalty": "--gradient-penalty" in extra,
                                  "lr_schedule": "ttur" if "ttur" in extra else "none",
                                  "batch_norm": "--no-batch-norm" not in extra}
    assert record["discriminator"]["batch_norm"] is (not extra)  # off with a penalty and with --no-batch-norm
    curve = record["learning_curve"]
    assert [e["step"] for e in curve] == [2, 4] and all(np.isfinite([e["d_loss"], e["g_loss"]]).all() for e in curve)
    generator = DCGANGenerator.from_pretrained(tmp_path / "out", strict=True)
    assert generator(seeded_noise(0), LABELS).shape == (4, 1, 28, 28)
    grid = Image.open(tmp_path / "state" / "samples" / "step_000004.png")
    assert grid.mode == "L" and grid.size == (8 * 30 + 2, 10 * 30 + 2)  # 8 samples x 10 classes, 2 px gaps


def test_vae_smoke_training_writes_a_strictly_loadable_checkpoint(idx_root, tmp_path):
    smoke(train_vae, idx_root, tmp_path)
    record = assert_checkpoint(tmp_path / "out", "vae")
    assert record["data"]["test_images"] == 32
    curve = record["learning_curve"]
    assert [e["step"] for e in curve] == [2, 4]
    assert all(set(e) == {"step", "seconds", "recon_loss", "kl", "test_loss"} for e in curve)
    assert all(np.isfinite(e["test_loss"]) and e["test_loss"] > 0 for e in curve)
    vae = ConditionalVAE.from_pretrained(tmp_path / "out", strict=True)
    assert vae.decode(seeded_noise(0, dim=4), LABELS).shape == (4, 1, 28, 28)
    assert (tmp_path / "state" / "samples" / "step_000004.png").is_file()


@pytest.mark.parametrize("train, family", [(train_dcgan, "dcgan"), (train_vae, "vae")], ids=["dcgan", "vae"])
def test_resume_continues_the_step_count_and_matches_an_uninterrupted_run(idx_root, tmp_path, train, family):
    smoke(train, idx_root, tmp_path / "straight")
    smoke(train, idx_root, tmp_path / "resumed", "--max-steps", "2")
    smoke(train, idx_root, tmp_path / "resumed", "--resume")
    record = json.loads((tmp_path / "resumed" / "out" / "training.json").read_text())
    assert [e["step"] for e in record["learning_curve"]] == [2, 4]
    state = tmp_path / "resumed" / "state" / ("generator" if family == "dcgan" else "")
    assert json.loads((state / "state.json").read_text())["extra"]["step"] == 4
    straight, resumed = (load_file(tmp_path / run / "out" / "model.safetensors") for run in ("straight", "resumed"))
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)  # per-step seeding: resuming changes nothing


def test_both_families_are_registered():
    from aigc_demo.train.__main__ import FAMILIES

    assert FAMILIES["dcgan"] == "aigc_demo.train.dcgan" and FAMILIES["vae"] == "aigc_demo.train.vae"


def test_classifier_smoke_training_writes_the_judge(idx_root, tmp_path):
    from aigc_demo.models.classifier import FashionClassifier
    from aigc_demo.train.classifier import main as train_classifier

    train_classifier(["--smoke", "--data-root", str(idx_root), "--out", str(tmp_path / "judge")])
    record = json.loads((tmp_path / "judge" / "training.json").read_text())
    assert record["family"] == "classifier" and 0 <= record["learning_curve"][0]["test_accuracy"] <= 1
    judge = FashionClassifier.from_pretrained(tmp_path / "judge", strict=True)
    assert judge(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
