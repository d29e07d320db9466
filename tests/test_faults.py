"""Faults: a damaged or missing checkpoint switches its model off with a clear note and leaves the rest working;
out-of-memory gives a clear message and the next request works."""
from __future__ import annotations

import shutil

import httpx
import pytest
import torch
from gradio_client import Client

from aigc_demo.errors import ModelUnavailableError
from tests.conftest import served_app


@pytest.fixture
def damaged_checkpoints(tiny_checkpoints, tmp_path, monkeypatch):
    """A copy of the tiny checkpoints with stylegan's weights truncated, dcgan's replaced by a text file and
    vae's folder gone."""
    root = tmp_path / "checkpoints"
    shutil.copytree(tiny_checkpoints, root)
    weights = root / "stylegan" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    (root / "dcgan" / "model.safetensors").write_text("not weights")
    shutil.rmtree(root / "vae")
    monkeypatch.setenv("AIGC_CHECKPOINTS", str(root))
    return root


def test_damaged_models_are_left_out_of_the_menu_and_named(damaged_checkpoints):
    from aigc_demo.pipelines.image import available_image_models, damaged_image_models, load_image_model

    assert available_image_models() == ["diffusion"]
    assert damaged_image_models() == ["dcgan", "stylegan"]
    with pytest.raises(ModelUnavailableError, match="damaged"):
        load_image_model("stylegan", torch.device("cpu"), torch.float32)
    with pytest.raises(ModelUnavailableError, match="not bundled"):
        load_image_model("vae", torch.device("cpu"), torch.float32)


def test_the_app_starts_says_which_models_are_off_and_the_rest_work(damaged_checkpoints):
    with served_app() as url:
        client = Client(url, verbose=False)
        config = httpx.get(f"{url}config").text
        assert "Switched off" in config and "dcgan, stylegan" in config
        with pytest.raises(Exception, match="stylegan is not in the list of choices"):  # the option is gone
            client.predict(model="stylegan", num_images=1, api_name="/generate_image")
        gallery = client.predict(model="diffusion", num_images=1, steps=2, api_name="/generate_image")[0]
        assert len(gallery) == 1
        assert "tokens/s" in client.predict("Emma", max_new_tokens=3, api_name="/generate_text")[1]


def test_out_of_memory_gives_a_clear_message_then_recovers(tiny_checkpoints, monkeypatch):
    from aigc_demo.pipelines import latent

    real_run = latent.LatentImagePipeline.run
    failures = iter([RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB"), MemoryError()])

    def failing_run(self, *args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(latent.LatentImagePipeline, "run", failing_run)
    with served_app() as url:
        client = Client(url, verbose=False)
        for _ in range(2):
            with pytest.raises(Exception, match="ran out of memory"):
                client.predict(model="dcgan", num_images=1, api_name="/generate_image")
        assert len(client.predict(model="dcgan", num_images=2, api_name="/generate_image")[0]) == 2


def test_nan_in_float32_gives_a_clear_message_then_recovers(tiny_checkpoints, monkeypatch):
    from aigc_demo.pipelines import latent

    real_run = latent.LatentImagePipeline.run
    calls = {"n": 0}

    def nan_once(self, *args, **kwargs):
        calls["n"] += 1
        output = real_run(self, *args, **kwargs)
        return output * float("nan") if calls["n"] == 1 else output

    monkeypatch.setattr(latent.LatentImagePipeline, "run", nan_once)
    with served_app() as url:
        client = Client(url, verbose=False)
        with pytest.raises(Exception, match="invalid numbers"):
            client.predict(model="dcgan", num_images=1, api_name="/generate_image")
        assert len(client.predict(model="dcgan", num_images=1, api_name="/generate_image")[0]) == 1
