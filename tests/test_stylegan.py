"""The style-based GAN: modulation maths, truncation, style mixing, noise, smoke training and resume."""
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from aigc_demo.errors import UserInputError
from aigc_demo.models.stylegan import ModulatedConv2d, StyleGANDiscriminator, StyleGANGenerator, minibatch_std
from aigc_demo.pipelines.stylegan import CROSSOVERS, StyleImagePipeline
from aigc_demo.train.stylegan import main as train_stylegan

TINY = {"latent_dim": 8, "num_classes": 10, "w_dim": 16, "channels": (8, 8, 8)}


def tiny_generator(seed: int = 0) -> StyleGANGenerator:
    torch.manual_seed(seed)  # test set-up, not a request path
    generator = StyleGANGenerator(**TINY).eval()
    with torch.no_grad():  # untrained noise strengths start at 0; make noise visible for the tests
        for layer in generator.layers:
            layer.noise_strength.fill_(0.5)
    return generator


def test_modulated_conv_equals_a_per_sample_convolution_with_demodulated_weights():
    """The fast form (scale the input, one shared convolution, rescale the output) against the definition."""
    torch.manual_seed(0)
    conv = ModulatedConv2d(4, 6, 3, w_dim=5)
    x, w = torch.randn(3, 4, 7, 7), torch.randn(3, 5)
    style = conv.affine(w)
    expected = []
    for i in range(3):
        weight = conv.weight * conv.weight_scale * style[i][None, :, None, None]
        weight = weight / weight.square().sum(dim=(1, 2, 3), keepdim=True).add(1e-8).sqrt()
        expected.append(F.conv2d(x[i:i + 1], weight, padding=1))
    assert torch.allclose(conv(x, w), torch.cat(expected), atol=1e-5)


def test_shapes_and_class_conditioning():
    generator = tiny_generator()
    z = torch.randn(4, 8, generator=torch.Generator().manual_seed(1))
    images = generator(z, torch.tensor([0, 1, 2, 3]))
    assert images.shape == (4, 1, 28, 28)
    w0 = generator.styles(z, torch.zeros(4, dtype=torch.long))
    w5 = generator.styles(z, torch.full((4,), 5))
    assert not torch.allclose(w0, w5)
    logits = StyleGANDiscriminator(num_classes=10, channels=(8, 8, 8))(images, torch.tensor([0, 1, 2, 3]))
    assert logits.shape == (4,)


def test_minibatch_std_is_zero_for_identical_samples_and_positive_otherwise():
    same = torch.ones(4, 2, 3, 3)
    assert torch.allclose(minibatch_std(same), torch.full((4, 1, 3, 3), 1e-4), atol=1e-4)
    assert (minibatch_std(torch.randn(4, 2, 3, 3)) > 0.1).all()


def test_truncation_pulls_styles_to_the_class_mean():
    generator = tiny_generator()
    generator.measure_w_avg(samples_per_class=64)
    z, labels = torch.randn(6, 8), torch.tensor([1, 1, 1, 7, 7, 7])
    full, none, half = (generator.styles(z, labels, psi) for psi in (1.0, 0.0, 0.5))
    assert torch.allclose(none, generator.w_avg[labels])
    assert torch.allclose(half, (full + none) / 2, atol=1e-6)


def test_same_seed_same_images_and_noise_changes_them():
    pipeline = StyleImagePipeline(tiny_generator())
    first = pipeline([None, 3, 3], torch.Generator().manual_seed(5))
    again = pipeline([None, 3, 3], torch.Generator().manual_seed(5))
    other = pipeline([None, 3, 3], torch.Generator().manual_seed(6))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])


def test_interpolation_holds_the_noise_still_and_keeps_the_ends():
    pipeline = StyleImagePipeline(tiny_generator())
    frames = pipeline.interpolate(1, 2, 5, 4)
    assert len(frames) == 5
    ends = pipeline.interpolate(1, 2, 2, 4)
    assert np.array_equal(frames[0], ends[0]) and np.array_equal(frames[-1], ends[-1])
    # seed 1 -> 1 is a still picture: the same latent and the same (fixed) noise in every frame
    still = pipeline.interpolate(1, 1, 3, 4)
    assert np.array_equal(still[0], still[2])


@pytest.mark.parametrize("crossover", list(CROSSOVERS))
def test_style_mixing_grid_layout_and_sources(crossover):
    pipeline = StyleImagePipeline(tiny_generator())
    grid = pipeline.style_mix([1, 2], [3, 4, 5], label=0, crossover=crossover)
    assert len(grid) == 3 * 4 and not grid[0].any()  # (1 + rows) x (1 + columns), blank corner
    columns, rows = grid[1:4], [grid[4], grid[8]]
    cells = [grid[5:8], grid[9:12]]
    # every cell differs from its row's source (B's styles came in) ...
    assert all(not np.array_equal(cell, rows[r]) for r in range(2) for cell in cells[r])
    # ... and a row seed mixed with itself is the source unchanged
    same = pipeline.style_mix([3], [3], label=0, crossover=crossover)
    assert np.array_equal(same[2], same[3]) and np.array_equal(same[1], same[3])
    assert columns[0].shape == (28, 28)


def test_style_mixing_refuses_bad_requests():
    pipeline = StyleImagePipeline(tiny_generator())
    with pytest.raises(UserInputError):
        pipeline.style_mix([1], [2], 0, crossover="everything")
    with pytest.raises(UserInputError):
        pipeline.style_mix(list(range(9)), [2], 0)


def test_smoke_training_writes_a_strictly_loadable_checkpoint_with_class_means(idx_root, tmp_path):
    out = tmp_path / "stylegan"
    train_stylegan(["--smoke", "--data-root", str(idx_root), "--out", str(out), "--state-dir", str(tmp_path / "state")])
    record = json.loads((out / "training.json").read_text())
    assert record["family"] == "stylegan" and record["learning_curve"][-1]["step"] == 4
    assert record["command"].startswith("python -m aigc_demo.train stylegan --smoke")
    loaded = StyleGANGenerator.from_pretrained(out, strict=True)
    assert loaded.w_avg.abs().sum() > 0  # measured after training, saved with the weights
    assert (tmp_path / "state" / "samples" / "step_000004.png").is_file()


def test_resume_matches_an_uninterrupted_run(idx_root, tmp_path):
    def run(out, state, steps, resume=False):
        argv = ["--smoke", "--data-root", str(idx_root), "--out", str(out), "--state-dir", str(state),
                "--max-steps", str(steps)]
        train_stylegan(argv + (["--resume"] if resume else []))

    run(tmp_path / "a", tmp_path / "sa", 4)
    run(tmp_path / "b", tmp_path / "sb", 2)
    run(tmp_path / "b", tmp_path / "sb", 4, resume=True)
    a = StyleGANGenerator.from_pretrained(tmp_path / "a", strict=True).state_dict()
    b = StyleGANGenerator.from_pretrained(tmp_path / "b", strict=True).state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_interpolation_ends_are_the_images_a_one_image_request_gives_for_each_seed():
    """(StyleGAN's ends differ from such a request only by its per-image noise, held still in interpolation.)"""
    from aigc_demo.models.dcgan import DCGANGenerator
    from aigc_demo.pipelines.image import wrap

    torch.manual_seed(0)
    pipeline = wrap("dcgan", DCGANGenerator(latent_dim=8, base_channels=8).eval())
    frames = pipeline.interpolate(11, 12, 4, 6)
    for seed, frame in ((11, frames[0]), (12, frames[-1])):
        expected = pipeline([6], torch.Generator().manual_seed(seed))[0]
        assert np.abs(frame.astype(int) - expected.astype(int)).max() <= 1
