"""The Image tab through gradio_client, on tiny untrained models: contract, reproducibility, bad input."""
import pytest
from gradio_client import Client

from aigc_demo.pipelines.latent import slerp
from tests.conftest import served_app


@pytest.fixture(scope="module")
def client(tiny_checkpoints):
    with served_app() as url:
        yield Client(url, verbose=False)


def generate(client, **settings):
    return client.predict(api_name="/generate_image", **settings)


def test_api_contract(client):
    params = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/generate_image"]["parameters"]
    names = [p["parameter_name"] for p in params]
    assert names[:4] == ["model", "num_images", "seed", "label"]
    assert {"steps", "scheduler", "guidance_scale", "truncation"} <= set(names)
    assert all(p["parameter_has_default"] for p in params)


@pytest.mark.parametrize("model, extra", [("dcgan", {}), ("vae", {"truncation": 0.7}), ("stylegan", {"truncation": 0.7}),
                                          ("diffusion", {"steps": 4, "scheduler": "ddim"}),
                                          ("diffusion", {"steps": 3, "scheduler": "dpm-solver++", "guidance_scale": 1.0})])
def test_same_seed_same_images(client, model, extra):
    first = generate(client, model=model, num_images=3, seed=11, label="Sneaker", **extra)
    second = generate(client, model=model, num_images=3, seed=11, label="Sneaker", **extra)
    gallery, card, _, seed = first
    assert len(gallery) == 3 and seed == 11 and card["model"] == model and card["seed"] == 11
    assert gallery[0]["caption"] == "Sneaker"
    read = lambda g: [open(item["image"], "rb").read() for item in g]  # noqa: E731
    assert read(gallery) == read(second[0])
    assert read(gallery) != read(generate(client, model=model, num_images=3, seed=12, label="Sneaker", **extra)[0])


@pytest.mark.parametrize("settings, message", [
    (dict(model="dcgan", num_images=0), "minimum"),
    (dict(model="dcgan", num_images=1_000_000), "maximum"),
    (dict(model="imagen"), "not in the list of choices"),
    (dict(model="dcgan", label="Spaceship"), "not in the list of choices"),
    (dict(model="diffusion", scheduler="euler"), "not in the list of choices"),
])
def test_bad_input_gets_a_clear_message(client, settings, message):
    with pytest.raises(Exception) as error:
        generate(client, **settings)
    assert message in str(error.value) and "Traceback" not in str(error.value)
    assert generate(client, model="dcgan", num_images=1, seed=1)[0]


@pytest.mark.parametrize("model", ["vae", "stylegan", "diffusion"])
def test_interpolation_strip_gif_and_run_card(client, model):
    import json

    from PIL import Image

    strip, gif, card = client.predict(model=model, seed_a=1, seed_b=2, steps=5, label="Bag",
                                      api_name="/interpolate_latents")
    assert len(strip) == 5 and gif.endswith(".gif")
    assert Image.open(gif).n_frames == 8  # there and back: 5 + 3
    card = json.loads(open(card, encoding="utf-8").read())
    assert card["task"] == "interpolation" and card["seed"] == 1 and card["settings"]["seed_b"] == 2


def test_random_classes_are_named_in_the_captions(client):
    from aigc_demo.data.fashion_mnist import CLASS_NAMES

    gallery = generate(client, model="dcgan", num_images=8, seed=3, label="random")[0]
    captions = [item["caption"] for item in gallery]
    assert set(captions) <= set(CLASS_NAMES) and len(set(captions)) > 1


def test_style_mixing_grid_through_the_api(client):
    grid = client.predict("1, 2", "3, 4, 5", "Bag", "middle", 0.8, api_name="/style_mix")
    assert len(grid) == 12 and grid[5]["caption"] == "A 1 + B 3"
    with pytest.raises(Exception) as error:
        client.predict("1, two", "3", "Bag", "coarse", 1.0, api_name="/style_mix")
    assert "whole numbers" in str(error.value)


def test_slerp_keeps_the_ends_and_the_norm():
    import torch

    a, b = torch.randn(1, 64, generator=torch.Generator().manual_seed(0)), torch.randn(1, 64)
    assert torch.allclose(slerp(a, b, 0.0), a, atol=1e-5) and torch.allclose(slerp(a, b, 1.0), b, atol=1e-5)
    middle = slerp(a / a.norm(), b / b.norm(), 0.5)
    assert abs(float(middle.norm()) - 1) < 1e-4


def test_handlers_validate_on_their_own_too():
    """Direct Python callers (not through Gradio's dropdown checks) get the same one-sentence messages."""
    from aigc_demo.errors import UserInputError
    from aigc_demo.ui.image import read_label, read_model

    assert read_label("Sneaker") == 7 and read_label("3") == 3 and read_label("random") is None
    with pytest.raises(UserInputError, match="not a class"):
        read_label("Spaceship")
    with pytest.raises(UserInputError, match="not one"):
        read_model("imagen")


def test_vae_reconstructs_an_rgba_upload_and_maps_its_latent_space(client, tmp_path):
    from gradio_client import handle_file
    from PIL import Image

    picture = tmp_path / "shirt.png"
    Image.new("RGBA", (64, 48), (20, 20, 20, 255)).save(picture)
    prepared, rebuilt = client.predict(handle_file(str(picture)), label="Shirt", api_name="/reconstruct_image")
    assert Image.open(prepared).size == Image.open(rebuilt).size == (112, 112)
    grid = client.predict(label="Bag", size=4, api_name="/vae_latent_map")
    assert len(grid) == 16


def test_a_non_image_upload_gets_a_clear_message(client, tmp_path):
    from gradio_client import handle_file

    fake = tmp_path / "notes.png"
    fake.write_text("<html><script>alert(1)</script></html>")
    with pytest.raises(Exception) as error:
        client.predict(handle_file(str(fake)), label="Shirt", api_name="/reconstruct_image")
    assert "image" in str(error.value).lower() and "Traceback" not in str(error.value)
