"""Inpainting tab: the U-Net, masks, pipelines, training and evaluation in smoke mode, the /inpaint API with
bad input through the served app, the bundled fashion model against the baselines, and a browser check."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from PIL import Image

from tests.conftest import CHROMIUM, error_toasts, needs_fashion_mnist, served_app

ASSETS = Path("assets/inpaint")
MODELS = ["pix2pix-fashion", "pix2pix-photo", "restore", "telea", "navier-stokes", "biharmonic"]
TINY = {"pix2pix-fashion": (2, 1), "pix2pix-photo": (4, 3), "restore": (3, 3)}


@pytest.fixture(scope="module")
def tiny_pix2pix(tiny_checkpoints):
    """Seeded, untrained tiny U-Nets saved as the three bundled learned models."""
    from aigc_demo.models.pix2pix import UnetGenerator, init_weights

    torch.manual_seed(0)  # test set-up, not a request path
    for name, (inputs, outputs) in TINY.items():
        generator = UnetGenerator(inputs, outputs, num_downs=5, ngf=4, max_mult=2)
        generator.apply(init_weights)
        generator.eval().save_pretrained(tiny_checkpoints / name)
    return tiny_checkpoints



# ----------------------------------------------------------------------------- self-ensemble
def test_dihedral_views_turn_back_to_the_original():
    from aigc_demo.pipelines.inpaint import dihedral_views, undo_dihedral

    picture = np.arange(5 * 7 * 3).reshape(5, 7, 3)
    views = dihedral_views(picture)
    assert len({v.tobytes() + bytes(v.shape) for v in views}) == 8  # eight different views
    assert all(np.array_equal(back, picture) for back in undo_dihedral(views))


def test_self_ensemble_is_the_mean_of_eight_views_and_commutes_with_a_flip():
    """A plain U-Net's answer to a mirrored photo is not the mirrored answer; the x8 mean's is (up to rounding),
    for sides that are multiples of the network's 32 (others are padded on the bottom and right first)."""
    from aigc_demo.models.pix2pix import UnetGenerator, init_weights
    from aigc_demo.pipelines.inpaint import Pix2PixPipeline

    torch.manual_seed(0)  # test set-up, not a request path
    generator = UnetGenerator(4, 3, num_downs=5, ngf=4, max_mult=2)
    generator.apply(init_weights)
    generator.eval()
    picture = np.random.default_rng(0).integers(0, 256, (32, 64, 3), dtype=np.uint8)
    mask = np.zeros((32, 64), bool)
    mask[10:30, 20:40] = True
    single, ensemble = Pix2PixPipeline(generator), Pix2PixPipeline(generator, self_ensemble=True)
    mirrored = np.ascontiguousarray(picture[:, ::-1]), np.ascontiguousarray(mask[:, ::-1])

    assert not np.array_equal(single(*mirrored), single(picture, mask)[:, ::-1])
    gap = np.abs(ensemble(*mirrored).astype(int) - ensemble(picture, mask)[:, ::-1].astype(int))
    assert gap.max() <= 1
    assert not np.array_equal(ensemble(picture, mask), single(picture, mask))
    passes = []
    Pix2PixPipeline(generator, self_ensemble=True, on_pass=lambda done, total: passes.append((done, total)))(picture, mask)
    assert passes == [(k, 8) for k in range(1, 9)]  # what the tab's progress bar shows


def test_every_view_sees_the_picture_on_the_same_grid():
    """Each view the network is given, turned back, holds the picture at the top left: its 8x8 JPEG blocks and the
    U-Net's stride-2 phases stay where they are in the original, whatever the picture's size."""
    from aigc_demo.pipelines.inpaint import Pix2PixPipeline, undo_dihedral

    seen = []

    class Recorder(torch.nn.Module):
        multiple, _hub_mixin_config = 32, {"input_nc": 3, "output_nc": 3}

        def __init__(self):
            super().__init__()
            self.unused = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            seen.append(((x[0].permute(1, 2, 0) + 1) * 127.5).round().byte().numpy())
            return x

    picture = np.random.default_rng(1).integers(0, 256, (37, 50, 3), dtype=np.uint8)
    result = Pix2PixPipeline(Recorder(), self_ensemble=True)(picture)
    assert len(seen) == 8 and all(view.shape[0] % 32 == 0 and view.shape[1] % 32 == 0 for view in seen)
    assert all(np.array_equal(back[:37, :50], picture) for back in undo_dihedral(seen))
    assert np.array_equal(result, picture)  # the identity network's ensemble gives the picture back


# ----------------------------------------------------------------------------- model
def test_generator_keys_are_the_reference_unets():
    """junyanz/pytorch-CycleGAN-and-pix2pix UnetGenerator(num_downs=5, norm_layer=BatchNorm2d) key layout."""
    from aigc_demo.models.pix2pix import UnetGenerator

    inner = "model.model.1.model.3.model.3.model.3."
    expected = {"model.model.0.weight", "model.model.3.weight", "model.model.3.bias",
                inner + "model.1.weight", inner + "model.3.weight"}
    for level in ("model.model.1.", "model.model.1.model.3.", "model.model.1.model.3.model.3."):
        expected |= {level + "model.1.weight", level + "model.5.weight"}
        expected |= {level + f"model.{i}.{p}" for i in (2, 6) for p in ("weight", "bias", "running_mean",
                                                                         "running_var", "num_batches_tracked")}
    expected |= {inner + f"model.4.{p}" for p in ("weight", "bias", "running_mean", "running_var",
                                                  "num_batches_tracked")}
    assert set(UnetGenerator(2, 1, num_downs=5, ngf=8).state_dict()) == expected


def test_a_residual_generator_starts_from_its_input():
    from aigc_demo.models.pix2pix import UnetGenerator

    generator = UnetGenerator(3, 3, num_downs=5, ngf=4, residual=True).eval()
    torch.nn.init.zeros_(generator.model.model[3].weight)  # the last (transposed) conv: no correction
    torch.nn.init.zeros_(generator.model.model[3].bias)
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    assert torch.allclose(generator(x), x)
    with pytest.raises(ValueError):
        UnetGenerator(4, 3, residual=True)


@pytest.mark.parametrize("size", [(32, 32), (64, 96)])
def test_generator_is_fully_convolutional(size):
    from aigc_demo.models.pix2pix import UnetGenerator

    generator = UnetGenerator(4, 3, num_downs=5, ngf=4).eval()
    assert generator(torch.zeros(1, 4, *size)).shape == (1, 3, *size)


# ----------------------------------------------------------------------------- masks
def test_mask_sets():
    from aigc_demo.data import masks

    assert masks.centre_box(28, 28).sum() == 14 * 14 and masks.centre_box(256, 200).mean() == 0.25
    first, second = masks.heldout_masks(64, 80, 3, "strokes"), masks.heldout_masks(64, 80, 3, "strokes")
    assert all((a == b).all() for a, b in zip(first, second)) and all(m.any() for m in first)
    rng = np.random.default_rng(0)
    shares = [masks.training_mask(96, 96, rng).mean() for _ in range(50)]
    assert min(shares) > 0 and max(shares) < 0.9


def test_training_boxes_grow_with_max_box_area():
    from aigc_demo.data import masks

    def largest_box(max_box_area):
        rng = np.random.default_rng(0)
        return max(masks.random_box(96, 96, rng, (0.05, max_box_area)).mean() for _ in range(200))

    assert largest_box(0.3) <= 0.31 and largest_box(0.5) > 0.4


def test_read_mask_painted_layer_resized_and_rotated():
    from aigc_demo.pipelines.inpaint import read_mask

    layer = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    layer.paste((10, 10, 10, 255), (0, 0, 10, 20))  # black paint: the layer's opacity is the mask, not its colour
    mask, note = read_mask(layer, (40, 20))
    assert mask[:, :10].all() and not mask[:, 10:].any() and note == ""
    grey = Image.new("L", (20, 10), 0)
    grey.paste(255, (10, 0, 20, 10))
    mask, note = read_mask(grey, (40, 20))
    assert mask.shape == (20, 40) and mask[:, 22:].all() and not mask[:, :18].any() and "resized" in note
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: shown turned 90 degrees clockwise
    tall = Image.new("L", (20, 10), 0)
    tall.paste(255, (0, 0, 5, 10))
    tall.info["exif"] = exif.tobytes()
    tall.getexif()[0x0112] = 6
    mask, _ = read_mask(tall, (10, 20))
    assert mask.shape == (20, 10) and mask[:5].all() and not mask[5:].any()


# ----------------------------------------------------------------------------- pipelines
@pytest.mark.parametrize("model", MODELS)
def test_every_model_changes_only_the_masked_pixels(tiny_pix2pix, model):
    from aigc_demo.data.masks import centre_box
    from aigc_demo.pipelines.inpaint import inpaint

    rng = np.random.default_rng(1)
    channels = 1 if model == "pix2pix-fashion" else 3
    picture = rng.integers(0, 255, (37, 53, channels)).astype(np.uint8)
    mask = centre_box(37, 53).astype(bool)
    out = inpaint(picture, mask, model)
    assert out.shape == picture.shape and out.dtype == np.uint8
    assert (out[~mask] == picture[~mask]).all() and (out[mask] != picture[mask]).any()


def test_large_holes_are_filled_at_a_reduced_scale(monkeypatch):
    from aigc_demo.data.masks import centre_box
    from aigc_demo.pipelines import inpaint as pipeline

    seen = []

    def fill(picture, mask):
        seen.append(picture.shape)
        return np.full_like(picture, 7)

    picture = np.zeros((400, 600, 3), np.uint8)
    mask = centre_box(400, 600).astype(bool)
    scale = pipeline.HOLE_RADIUS * 64 / pipeline.hole_radius(mask)
    out = pipeline.fill_scaled(picture, mask, scale, fill, margin=32)
    assert seen[0][0] < 200 and (out[mask] == 7).all() and (out[~mask] == 0).all()


@pytest.mark.parametrize("crop, scale", [(None, 0.36), (64, 0.36), (128, 0.72)])
def test_the_working_scale_follows_the_checkpoints_training_crop(tmp_path, monkeypatch, crop, scale):
    """A model trained on 128 px crops fills a quarter-area hole at twice the scale of one trained on 64 px;
    a checkpoint without a training record is taken as 64 px."""
    from aigc_demo.data.masks import centre_box
    from aigc_demo.models.pix2pix import UnetGenerator
    from aigc_demo.pipelines import inpaint as pipeline
    from aigc_demo.registry import registry

    UnetGenerator(4, 3, num_downs=5, ngf=4, max_mult=2).save_pretrained(tmp_path / "pix2pix-photo")
    if crop:
        (tmp_path / "pix2pix-photo" / "training.json").write_text(json.dumps({"data": {"crop": crop}}))
    pipeline.use_checkpoint("pix2pix-photo", tmp_path / "pix2pix-photo")
    seen = []
    monkeypatch.setattr(pipeline, "fill_scaled", lambda picture, mask, s, fill, margin: seen.append((s, margin)))
    try:
        pipeline.run_learned("pix2pix-photo", np.zeros((256, 256, 3), np.uint8), centre_box(256, 256).astype(bool))
    finally:
        registry.clear()  # later tests load their own pix2pix-photo
    assert seen[0][0] == pytest.approx(scale, rel=0.02) and seen[0][1] == (crop or 64) // 2


def test_restore_with_an_empty_mask_cleans_everything(tiny_pix2pix):
    from aigc_demo.pipelines.inpaint import inpaint

    picture = np.random.default_rng(2).integers(0, 255, (40, 40, 3)).astype(np.uint8)
    everywhere = inpaint(picture, np.zeros((40, 40), bool), "restore")
    assert (everywhere != picture).mean() > 0.5
    assert (inpaint(picture, np.zeros((40, 40), bool), "telea") == picture).all()


# ----------------------------------------------------------------------------- training and evaluation
def test_fashion_smoke_training_resumes_and_evaluates(tiny_checkpoints, idx_root, tmp_path):
    from safetensors.torch import load_file

    from aigc_demo.eval.__main__ import main as evaluate
    from aigc_demo.train.pix2pix import main as train

    common = ["--task", "fashion", "--smoke", "--data-root", str(idx_root), "--out-dir", str(tmp_path),
              "--state-dir", str(tmp_path / "state")]
    train(common + ["--max-steps", "2"])
    train(common + ["--max-steps", "4", "--resume"])
    folder = tmp_path / "pix2pix-fashion"
    record = json.loads((folder / "training.json").read_text())
    assert [e["step"] for e in record["learning_curve"]] == [2, 4] and record["task"] == "fashion"
    assert all(t.dtype == torch.float16 for k, t in load_file(folder / "model.safetensors").items()
               if "num_batches" not in k)
    result = evaluate([str(folder), "--data-root", str(idx_root)])
    table = result["table"]
    assert set(table) >= {"pix2pix-fashion", "telea", "navier-stokes", "biharmonic", "original (no mask)"}
    assert 0 <= table["telea"]["centre"]["judge_accuracy"] <= 1 and table["telea"]["strokes"]["psnr"] > 0
    card = (folder / "README.md").read_text()
    assert "| telea | centre |" in card and (folder / "samples.png").is_file()


@pytest.mark.parametrize("task, name", [("photo", "pix2pix-photo"), ("restore", "restore")])
def test_photo_smoke_training(tmp_path, task, name):
    from aigc_demo.data import photos
    from aigc_demo.train.pix2pix import main as train

    train(["--task", task, "--smoke", "--out-dir", str(tmp_path), "--state-dir", str(tmp_path / "state")])
    record = json.loads((tmp_path / name / "training.json").read_text())
    assert not set(record["data"]["train_photos"]) & set(photos.HELDOUT)
    assert (tmp_path / "state" / "samples" / "step_000004.png").is_file()


def test_weight_average_is_saved_with_precise_batch_norm(tmp_path):
    """--ema-decay exports the average (resumed across sittings), --precise-bn its recomputed statistics."""
    from safetensors.torch import load_file

    from aigc_demo.train.pix2pix import AVERAGE_FILE, main as train

    common = ["--task", "restore", "--smoke", "--out-dir", str(tmp_path), "--state-dir", str(tmp_path / "state"),
              "--ema-decay", "0.5", "--precise-bn", "3"]
    train(common + ["--max-steps", "2"])
    train(common + ["--max-steps", "4", "--resume"])
    exported = load_file(tmp_path / "restore" / "model.safetensors")
    average = load_file(tmp_path / "state" / "generator" / AVERAGE_FILE)
    latest = load_file(tmp_path / "state" / "generator" / "model.safetensors")
    weights = [k for k in exported if k.endswith("weight")]
    assert all(torch.equal(exported[k], average[k].half()) for k in weights)
    assert not all(torch.equal(exported[k], latest[k].half()) for k in weights)
    means = [k for k in exported if k.endswith("running_mean")]
    assert means and not all(torch.equal(exported[k], average[k].half()) for k in means)
    record = json.loads((tmp_path / "restore" / "training.json").read_text())["optimisation"]
    assert record["weight_average_decay"] == 0.5 and record["precise_bn_batches"] == 3


def test_precise_batch_norm_is_the_plain_mean_over_batches():
    from aigc_demo.train.averaging import recalibrate_batch_norm

    model = torch.nn.Sequential(torch.nn.BatchNorm1d(1))
    batches = [torch.full((4, 1), value) + torch.tensor([[-1.0], [1.0], [-1.0], [1.0]]) for value in (0.0, 2.0, 10.0)]
    calibrated = recalibrate_batch_norm(model, batches)
    assert float(calibrated[0].running_mean) == pytest.approx(4.0)  # momentum 0.1 would give 1.18
    assert not calibrated.training and float(model[0].running_mean) == 0.0  # the original is left alone


def test_photo_augmentation_turns_and_recolours_crops():
    from aigc_demo.train.pix2pix import PhotoBatches

    batches = PhotoBatches(32, augment=True)
    red_top = np.zeros((64, 64, 3), np.uint8)
    red_top[:32, :, 0] = 255  # red above, black below
    batches.pictures = (red_top,)
    crops = batches.crops(40, np.random.default_rng(0))
    brightest = {int(crop.reshape(-1, 3).sum(0).argmax()) for crop in crops}
    assert brightest == {0, 1, 2}  # the red went to every channel
    plain = PhotoBatches(32)
    plain.pictures = (red_top,)
    assert {int(c.reshape(-1, 3).sum(0).argmax()) for c in plain.crops(40, np.random.default_rng(0))} == {0}


def test_adversarial_weight_scales_the_discriminators_pull():
    """With --adv-weight 0 the generator's update is pure L1 (whatever the discriminator says); with 1 it is not."""
    from aigc_demo.models.pix2pix import NLayerDiscriminator, UnetGenerator, init_weights
    from aigc_demo.train.pix2pix import training_step

    class Plain:
        backward = staticmethod(lambda loss: loss.backward())

    def generator_after_one_step(adv_weight: float, discriminator_seed: int) -> torch.Tensor:
        torch.manual_seed(0)
        generator = UnetGenerator(input_nc=4, output_nc=3, num_downs=5, ngf=4, max_mult=2)
        generator.apply(init_weights)
        torch.manual_seed(discriminator_seed)
        discriminator = NLayerDiscriminator(7, 4, n_layers=2)
        discriminator.apply(init_weights)
        optimizers = [torch.optim.Adam(net.parameters(), lr=1e-2) for net in (generator, discriminator)]
        torch.manual_seed(1)
        target, mask = torch.rand(2, 3, 32, 32) * 2 - 1, (torch.rand(2, 1, 32, 32) > 0.7).float()
        training_step((generator, discriminator), optimizers, (torch.cat([target * (1 - mask), mask], 1), target, mask),
                      Plain(), adv_weight)
        return torch.cat([p.detach().flatten() for p in generator.parameters()])

    assert torch.equal(generator_after_one_step(0.0, 1), generator_after_one_step(0.0, 2))
    assert not torch.equal(generator_after_one_step(1.0, 1), generator_after_one_step(1.0, 2))


def test_ssim_loss_is_the_evaluations_ssim():
    """The training term is 1 - SSIM as skimage measures it (7x7 uniform windows), so it is 0 for a perfect output."""
    from skimage.metrics import structural_similarity

    from aigc_demo.train.pix2pix import ssim_loss

    rng = np.random.default_rng(0)
    clean = rng.uniform(-1, 1, (1, 1, 40, 40)).astype(np.float32)
    noisy = np.clip(clean + rng.normal(0, 0.3, clean.shape), -1, 1).astype(np.float32)
    measured = structural_similarity(clean[0, 0], noisy[0, 0], data_range=2, use_sample_covariance=False)
    assert float(ssim_loss(torch.from_numpy(noisy), torch.from_numpy(clean))) == pytest.approx(1 - measured, abs=1e-4)
    assert float(ssim_loss(torch.from_numpy(clean), torch.from_numpy(clean))) == pytest.approx(0, abs=1e-6)


# ----------------------------------------------------------------------------- the API, as a user calls it
@pytest.fixture(scope="module")
def client(tiny_pix2pix):
    with served_app() as url:
        yield Client(url, verbose=False)


def fill(client, image, mask=None, model="telea"):
    return client.predict(image=handle_file(str(image)), mask=handle_file(str(mask)) if mask else None,
                          model=model, api_name="/inpaint")


def save(tmp_path, name, picture):
    path = tmp_path / name
    picture.save(path)
    return path


def test_api_contract(client):
    endpoint = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/inpaint"]
    assert [p["parameter_name"] for p in endpoint["parameters"]] == ["image", "mask", "model"]
    assert all(p["parameter_has_default"] for p in endpoint["parameters"][1:])
    assert endpoint["returns"][0]["component"] == "Image"


@pytest.mark.parametrize("model", MODELS)
def test_each_model_through_the_api(client, model):
    result, slider, overlay, note, result_file, mask_file, card, _ = fill(
        client, ASSETS / "chelsea.jpg", ASSETS / "chelsea-mask.png", model)
    size = (224, 224) if model == "pix2pix-fashion" else (451, 300)
    assert Image.open(result).size == size and len(slider) == 2 and card["model"] == model
    mask = np.asarray(Image.open(mask_file))
    assert mask.max() == 255 and 0 < (mask > 0).mean() < 0.5


def test_pixels_outside_the_mask_are_kept(client, tmp_path):
    picture = Image.fromarray(np.random.default_rng(0).integers(0, 255, (72, 96, 3)).astype(np.uint8))
    mask = Image.new("L", (96, 72), 0)
    mask.paste(255, (20, 10, 40, 30))
    result = np.asarray(Image.open(fill(client, save(tmp_path, "p.png", picture), save(tmp_path, "m.png", mask))[0]))
    keep = np.asarray(mask) == 0
    assert (result[keep] == np.asarray(picture)[keep]).all() and (result[~keep] != np.asarray(picture)[~keep]).any()


def test_empty_mask_returns_the_picture_with_a_note(client, tmp_path):
    picture = ASSETS / "coffee.jpg"
    empty = save(tmp_path, "empty.png", Image.new("L", (600, 400), 0))
    result, _, _, note, *_ = fill(client, picture, empty, "biharmonic")
    assert "empty" in note and (np.asarray(Image.open(result)) == np.asarray(Image.open(picture))).all()
    assert "No mask" in fill(client, picture, None, "restore")[3]


@pytest.mark.parametrize("make, message", [
    (lambda p: Image.new("L", (30, 30), 255).save(p), "whole picture"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), "mask isn't an image"),
])
def test_bad_masks_get_one_sentence(client, tmp_path, make, message):
    mask = tmp_path / "mask.png"
    make(mask)
    with pytest.raises(Exception) as error:
        fill(client, ASSETS / "chelsea.jpg", mask)
    assert message in str(error.value) and "Traceback" not in str(error.value)
    assert fill(client, ASSETS / "chelsea.jpg", ASSETS / "chelsea-mask.png")[0]  # the server is still up


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b""), "isn't an image"),
    (lambda p: p.write_text("<html><script>alert(1)</script></html>"), "isn't an image"),
])
def test_bad_pictures_get_one_sentence(client, tmp_path, make, message):
    bad = tmp_path / "bad.png"
    make(bad)
    with pytest.raises(Exception) as error:
        fill(client, bad, ASSETS / "chelsea-mask.png")
    assert message in str(error.value) and "Traceback" not in str(error.value)


def test_unknown_model_is_refused(client):
    with pytest.raises(Exception) as error:
        fill(client, ASSETS / "chelsea.jpg", ASSETS / "chelsea-mask.png", "lama")
    assert "not in the list of choices" in str(error.value) and "Traceback" not in str(error.value)


def test_mask_of_another_size_is_resized(client, tmp_path):
    small = Image.new("L", (45, 30), 0)
    small.paste(255, (20, 10, 30, 20))
    result, _, _, note, _, mask_file, _, _ = fill(client, ASSETS / "chelsea.jpg", save(tmp_path, "m.png", small))
    assert "45x30" in note and Image.open(mask_file).size == (451, 300)


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "L", "I;16"])
def test_any_picture_mode(client, tmp_path, mode):
    picture = Image.open(ASSETS / "chelsea.jpg").convert("RGB").convert(mode if mode != "I;16" else "L")
    if mode == "I;16":
        picture = Image.fromarray(np.asarray(picture).astype(np.uint16) * 256)
    result = fill(client, save(tmp_path, f"p-{mode.replace(';', '')}.png", picture), ASSETS / "chelsea-mask.png")[0]
    assert Image.open(result).size == (451, 300)


def test_tiny_and_huge_pictures(client, tmp_path):
    one = save(tmp_path, "one.png", Image.new("RGB", (1, 1), (200, 30, 30)))
    result, _, _, note, *_ = fill(client, one, save(tmp_path, "one-mask.png", Image.new("L", (1, 1), 0)))
    assert Image.open(result).size == (64, 64) and "Scaled up from 1x1" in note
    big = tmp_path / "big.jpg"
    Image.new("RGB", (7300, 5470), (90, 140, 200)).save(big, quality=80)
    mask = Image.new("L", (7300, 5470), 0)
    mask.paste(255, (3000, 2000, 4000, 3000))
    result, _, _, note, *_ = fill(client, big, save(tmp_path, "big-mask.png", mask), "pix2pix-photo")
    assert Image.open(result).size == (1024, 767) and "7300x5470" in note


def test_exif_orientation_applies_to_picture_and_mask(client, tmp_path):
    """A picture and mask stored sideways with EXIF orientation 6: the result is upright and the fill lands where
    the mask is once both are turned."""
    picture = Image.new("RGB", (60, 40), (0, 0, 0))
    picture.paste((250, 250, 250), (0, 0, 60, 20))  # top half white (as stored)
    mask = Image.new("L", (60, 40), 0)
    mask.paste(255, (0, 0, 10, 40))  # the left strip, as stored
    exif = Image.Exif()
    exif[0x0112] = 6
    picture.save(tmp_path / "p.jpg", exif=exif.tobytes(), quality=95)
    mask.save(tmp_path / "m.png", exif=exif.tobytes())
    result, _, _, _, _, mask_file, _, _ = fill(client, tmp_path / "p.jpg", tmp_path / "m.png")
    assert Image.open(result).size == (64, 96)  # 40x60 upright, the short side scaled up to 64
    used = np.asarray(Image.open(mask_file)) > 0
    assert used[:16].all() and not used[20:].any()  # the stored left strip is the upright top


# ----------------------------------------------------------------------------- the bundled model, lightly
BUNDLED = Path(__file__).resolve().parent.parent / "checkpoints" / "pix2pix-fashion"


@pytest.mark.skipif(not (BUNDLED / "config.json").is_file(), reason="no bundled pix2pix-fashion")
@needs_fashion_mnist
def test_bundled_fashion_model_beats_telea_on_the_centre_box(monkeypatch):
    from aigc_demo.data import fashion_mnist
    from aigc_demo.data.masks import centre_box
    from aigc_demo.pipelines.inpaint import inpaint

    monkeypatch.setenv("AIGC_CHECKPOINTS", str(BUNDLED.parent))
    images, _ = fashion_mnist.load("test")
    mask = centre_box(28, 28).astype(bool)
    errors = {m: np.mean([np.abs(inpaint(g[:, :, None], mask, m)[mask, 0].astype(float) - g[mask]).mean()
                          for g in images[:60]]) for m in ("pix2pix-fashion", "telea")}
    assert errors["pix2pix-fashion"] < errors["telea"]


# ----------------------------------------------------------------------------- in a browser


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_tab_runs_an_example_and_sends_the_result_to_style_transfer(tiny_pix2pix, browser, tmp_path):
    with served_app() as url:
        page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="Inpainting").first.click(timeout=30_000)
        page.locator("#inpaint-run").wait_for(timeout=30_000)
        page.locator("#inpaint-examples tbody tr").first.click()  # a held-out photo, its mask, pix2pix-photo
        page.wait_for_function("() => document.querySelectorAll('#inpaint-overlay img').length >= 1", timeout=60_000)
        page.wait_for_timeout(3000)  # the editor draws its new background on its canvas before it can send it
        page.locator("#inpaint-run").click()
        page.wait_for_function("() => document.querySelectorAll('#inpaint-result img').length >= 1", timeout=60_000)
        assert page.locator("#inpaint-slider img").count() >= 1 and error_toasts(page) == 0
        page.screenshot(path=str(tmp_path / "inpaint.png"), full_page=True)
        page.locator("#inpaint-send-style").click()  # the result becomes the Style transfer tab's picture
        page.wait_for_function("() => document.querySelectorAll('#style-preview img').length >= 1", timeout=30_000)
        page.close()


def test_a_damaged_learned_inpainter_leaves_the_menu(tmp_path, monkeypatch):
    import shutil

    from aigc_demo.checkpoints import REPO_ROOT
    from aigc_demo.pipelines.inpaint import available_models

    root = tmp_path / "checkpoints"
    shutil.copytree(REPO_ROOT / "checkpoints" / "pix2pix-fashion", root / "pix2pix-fashion")
    monkeypatch.setenv("AIGC_CHECKPOINTS", str(root))
    assert "pix2pix-fashion" in available_models()
    weights = next((root / "pix2pix-fashion").rglob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:100])  # truncated, as an interrupted copy leaves it
    assert "pix2pix-fashion" not in available_models() and len(available_models()) >= 3
