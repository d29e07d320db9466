"""Shared fixtures: a tiny GPT-2 trained in seconds by the real training command, served as a bundled checkpoint."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch

from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.data.fashion_mnist import DEFAULT_ROOT as FASHION_MNIST_ROOT

# One thread per test process: the app's worker threads and torch's own pool otherwise fight over
# a small CI machine's cores (a 10x slowdown was seen on 2 cores).
torch.set_num_threads(1)

SENTENCES = [
    "It is a truth universally acknowledged, that a single man in possession of a good fortune must be in want of a wife.",
    "Emma Woodhouse, handsome, clever, and rich, seemed to unite some of the best blessings of existence.",
    "\"My dear Mr. Bennet,\" said his lady to him one day, \"have you heard that Netherfield Park is let at last?\"",
    "The family of Dashwood had long been settled in Sussex, and their estate was large.",
    "No one who had ever seen Catherine Morland in her infancy would have supposed her born to be a heroine.",
]


def write_corpus(path: Path, repeats: int = 40) -> Path:
    """A small English text with paragraph breaks; repeated so a tiny model can learn something."""
    paragraphs = [" ".join(SENTENCES[i % 5] for i in range(k, k + 3)) for k in range(repeats)]
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "corpus.txt")


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory, corpus_file) -> Path:
    """checkpoints/ with a smoke-trained 'gpt2-austen', tiny untrained image models, and
    AIGC_CHECKPOINTS pointing at it for the session."""
    from aigc_demo.train.gpt2 import main as train

    root = tmp_path_factory.mktemp("checkpoints")
    train(["--smoke", "--text-file", str(corpus_file), "--out", str(root / "gpt2-austen"),
           "--state-dir", str(root.parent / "state"), "--max-steps", "20", "--context", "64"])
    save_tiny_image_models(root)
    os.environ["AIGC_CHECKPOINTS"] = str(root)
    return root


def save_tiny_image_models(root: Path) -> None:
    """Randomly initialised, seeded image models in the bundled-checkpoint layout (UI and eval tests)."""
    import torch

    from aigc_demo.models.classifier import FashionClassifier
    from aigc_demo.models.cyclegan import ResnetGenerator
    from aigc_demo.models.dcgan import DCGANGenerator
    from aigc_demo.models.diffusion import build_training_scheduler, build_unet
    from aigc_demo.models.stylegan import StyleGANGenerator
    from aigc_demo.models.vae import ConditionalVAE

    torch.manual_seed(0)  # test set-up, not a request path
    DCGANGenerator(latent_dim=8, base_channels=8).eval().save_pretrained(root / "dcgan")
    ConditionalVAE(latent_dim=4, base_channels=8).eval().save_pretrained(root / "vae")
    stylegan = StyleGANGenerator(latent_dim=8, w_dim=16, channels=(8, 8, 8)).eval()
    stylegan.measure_w_avg(samples_per_class=32)
    stylegan.save_pretrained(root / "stylegan")
    unet = build_unet(block_out_channels=(8, 16, 16))
    unet.save_pretrained(root / "diffusion" / "unet")
    build_training_scheduler(50).save_pretrained(root / "diffusion" / "scheduler")
    FashionClassifier(channels=(4, 8), feature_dim=16).eval().save_pretrained(root / "fashion-judge")
    for name in ("cyclegan-sneaker2boot", "cyclegan-boot2sneaker"):
        ResnetGenerator(ngf=4, n_blocks=1).eval().save_pretrained(root / name)
    from aigc_demo.train.text_to_image import main as train_text_to_image

    train_text_to_image(["--smoke", "--out", str(root / "emoji-sd"), "--state-dir", str(root.parent / "t2i-state")])
    (root / "text-to-image").mkdir()  # settings only: the text-to-image system is the encoder + stylegan
    shutil.copy(REPO_ROOT / "checkpoints" / "text-to-image" / "config.json", root / "text-to-image")


@pytest.fixture(autouse=True)
def fresh_registry():
    from aigc_demo import device
    from aigc_demo.registry import registry

    registry.clear()
    device._half_failed.clear()
    yield
    registry.clear()


def structured_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST-shaped data a tiny model can tell apart: class k is a bright bar at row 2k, plus noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = rng.integers(0, 40, (n, 28, 28))
    for image, label in zip(images, labels):
        image[2 * label + 4:2 * label + 8, 4:24] = 230
    return images.astype(np.uint8), labels.astype(np.uint8)


@pytest.fixture(scope="session")
def idx_root(tmp_path_factory):
    """Tiny Fashion-MNIST IDX files (train 64, test 32 images) for smoke training."""
    from aigc_demo.data.fashion_mnist import IMAGES_MAGIC, LABELS_MAGIC, write_idx

    root = tmp_path_factory.mktemp("fashion-mnist")
    for prefix, n, seed in (("train", 64, 0), ("t10k", 32, 1)):
        images, labels = structured_images(n, seed)
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", images, IMAGES_MAGIC)
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", labels, LABELS_MAGIC)
    return root


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's; Playwright's own download can't work here
# Tests that measure a bundled model on the real Fashion-MNIST test set (Debian's dataset-fashion-mnist, which
# .ci/run installs); on a machine without it they are skipped, as the browser tests are without chromium.
needs_fashion_mnist = pytest.mark.skipif(
    not any((FASHION_MNIST_ROOT / f"t10k-images-idx3-ubyte{gz}").is_file() for gz in ("", ".gz")),
    reason="dataset-fashion-mnist is not installed")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def error_toasts(page) -> int:
    """How many error toasts a browser page shows (Gradio's gr.Error pop-ups)."""
    return page.locator(".toast-body.error").count()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield PatientBrowser(browser)
        browser.close()


class PatientBrowser:
    """The browser, whose pages wait for a busy server as a user would: a page load may take two minutes
    (Playwright's 30 s default fails on a loaded 2-core machine), and every wait is for something to appear."""

    NAVIGATION_MS = 120_000

    def __init__(self, browser):
        self._browser = browser

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_navigation_timeout(self.NAVIGATION_MS)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@contextmanager
def served_app():
    """The whole studio served on 127.0.0.1 (a free port) while the block runs; yields its URL."""
    from aigc_demo.ui import build_demo, launch_options

    demo = build_demo()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, **launch_options())
    try:
        yield url
    finally:
        demo.close()
