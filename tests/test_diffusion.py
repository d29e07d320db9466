"""Class-conditional diffusion: a tiny diffusers UNet through the pipeline, and the training command in smoke mode."""
import json

import numpy as np
import pytest
import torch

from aigc_demo.data.fashion_mnist import IMAGES_MAGIC, LABELS_MAGIC, write_idx
from aigc_demo.errors import UserInputError
from aigc_demo.models.diffusion import SCHEDULERS, build_training_scheduler, build_unet, load_diffusion
from aigc_demo.pipelines.diffusion import ClassConditionalDiffusionPipeline, to_uint8

TRAIN_TIMESTEPS = 50


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models gain nothing from more threads, and on a busy CI box thread hand-offs cost 10x."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_unet():
    torch.manual_seed(0)  # test weights only
    return build_unet(block_out_channels=(8, 16, 16), layers_per_block=1).eval()


@pytest.fixture
def pipeline(tiny_unet):
    return ClassConditionalDiffusionPipeline(tiny_unet, build_training_scheduler(TRAIN_TIMESTEPS).config)


def generate(pipeline, seed=0, labels=(0, 7), **kwargs):
    kwargs.setdefault("steps", 3)
    return pipeline(list(labels), torch.Generator().manual_seed(seed), **kwargs)


def test_output_is_one_grey_uint8_image_per_label(pipeline):
    images = generate(pipeline, labels=(0, 3, None))
    assert len(images) == 3
    for image in images:
        assert image.shape == (28, 28) and image.dtype == np.uint8
    assert np.stack(images).std() > 0


def test_same_seed_same_images_and_another_seed_differs(pipeline):
    first, again, other = generate(pipeline, seed=5), generate(pipeline, seed=5), generate(pipeline, seed=6)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(np.stack(first), np.stack(other))


@pytest.mark.parametrize("scheduler", sorted(SCHEDULERS))
def test_every_scheduler_samples(pipeline, scheduler):
    images = generate(pipeline, scheduler=scheduler, steps=4)
    assert len(images) == 2 and images[0].shape == (28, 28)


def test_only_ddpm_may_take_more_than_a_thousand_steps(tiny_unet):
    long_schedule = ClassConditionalDiffusionPipeline(tiny_unet, build_training_scheduler(2000).config)
    long_schedule.check_inputs([1], "ddpm", 2000, 1.5)
    for scheduler in ("ddim", "dpm-solver++"):
        long_schedule.check_inputs([1], scheduler, 1000, 1.5)
        with pytest.raises(UserInputError):
            long_schedule.check_inputs([1], scheduler, 1001, 1.5)


def test_guidance_batches_null_pass_and_scale_one_skips_it(pipeline, tiny_unet):
    batch_sizes = []
    hook = tiny_unet.register_forward_hook(lambda module, args, output: batch_sizes.append(args[0].shape[0]))
    try:
        plain = generate(pipeline, guidance_scale=1.0)
        assert batch_sizes == [2, 2, 2]  # one conditional pass per step, no null pass
        batch_sizes.clear()
        guided = generate(pipeline, guidance_scale=3.0)
        assert batch_sizes == [4, 4, 4]  # conditional + null in one forward pass per step
    finally:
        hook.remove()
    assert not np.array_equal(np.stack(plain), np.stack(guided))


def test_on_step_streams_every_step_and_can_stop_early(pipeline):
    seen = []
    generate(pipeline, steps=4, on_step=lambda i, total, x0: seen.append((i, total, tuple(x0.shape))))
    assert seen == [(i, 4, (2, 1, 28, 28)) for i in range(4)]

    previews = []

    def stop_after_two(index, total, x0):
        previews.append(x0)
        return index == 1

    stopped = generate(pipeline, steps=4, on_step=stop_after_two)
    assert len(previews) == 2
    assert all(np.array_equal(a, b) for a, b in zip(stopped, to_uint8(previews[-1])))


def test_concurrent_requests_do_not_share_a_scheduler(pipeline):
    alone = generate(pipeline, seed=1, scheduler="dpm-solver++", steps=4)
    inner = []

    def run_another_request(index, total, x0):
        if index == 1:
            inner.append(generate(pipeline, seed=2, scheduler="dpm-solver++", steps=4))

    interleaved = generate(pipeline, seed=1, scheduler="dpm-solver++", steps=4, on_step=run_another_request)
    assert all(np.array_equal(a, b) for a, b in zip(alone, interleaved))
    assert inner


@pytest.mark.parametrize("kwargs", [
    {"steps": 0}, {"steps": TRAIN_TIMESTEPS + 1}, {"steps": TRAIN_TIMESTEPS + 1, "scheduler": "ddpm"},
    {"guidance_scale": -0.5}, {"guidance_scale": 20.5}, {"scheduler": "euler"},
    {"labels": (10,)}, {"labels": ()},
])
def test_bad_requests_raise_a_user_input_error(pipeline, kwargs):
    with pytest.raises(UserInputError):
        generate(pipeline, **kwargs)


def test_missing_labels_come_from_the_generator(pipeline):
    random = generate(pipeline, seed=3, labels=(None, None, None, None))
    assert all(np.array_equal(a, b) for a, b in zip(random, generate(pipeline, seed=3, labels=(None,) * 4)))
    # The classes drawn are whatever the seed's generator gives first; naming them gives the same images.
    drawn = torch.randint(0, 10, (4,), generator=torch.Generator().manual_seed(3)).tolist()
    named = generate(pipeline, seed=3, labels=drawn)
    assert all(np.array_equal(a, b) for a, b in zip(random, named))


def test_saved_checkpoint_loads_with_diffusers_and_gives_the_same_images(pipeline, tiny_unet, tmp_path):
    tiny_unet.save_pretrained(tmp_path / "unet")
    build_training_scheduler(TRAIN_TIMESTEPS).save_pretrained(tmp_path / "scheduler")
    assert (tmp_path / "unet" / "diffusion_pytorch_model.safetensors").is_file()
    assert not list(tmp_path.rglob("*.bin"))
    unet, scheduler_config = load_diffusion(tmp_path, "cpu", torch.float32)
    loaded = ClassConditionalDiffusionPipeline(unet, scheduler_config)
    for a, b in zip(generate(pipeline, seed=4), generate(loaded, seed=4)):
        assert np.array_equal(a, b)


@pytest.fixture
def idx_data(tmp_path):
    """A 40-image Fashion-MNIST-shaped IDX data set: bright squares whose size depends on the class."""
    root = tmp_path / "fashion-mnist"
    root.mkdir()
    for prefix, count in (("train", 40), ("t10k", 10)):
        labels = np.arange(count) % 10
        images = np.zeros((count, 28, 28), np.uint8)
        for image, label in zip(images, labels):
            image[4:6 + 2 * label, 4:6 + 2 * label] = 255
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", images, IMAGES_MAGIC)
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", labels, LABELS_MAGIC)
    return root


def test_smoke_training_writes_a_diffusers_checkpoint_and_resumes(idx_data, tmp_path):
    from aigc_demo.train.diffusion import main as train

    out, state = tmp_path / "out", tmp_path / "state"
    common = ["--smoke", "--data-root", str(idx_data), "--out", str(out), "--state-dir", str(state)]
    train(common + ["--max-steps", "2"])
    for name in ("unet/config.json", "unet/diffusion_pytorch_model.safetensors", "scheduler/scheduler_config.json",
                 "training.json"):
        assert (out / name).is_file(), name
    assert (state / "samples" / "step_000002.png").is_file()
    train(common + ["--max-steps", "3", "--resume", "--sample-every", "0"])
    assert json.loads((state / "state.json").read_text())["extra"]["step"] == 3
    record = json.loads((out / "training.json").read_text())
    assert record["family"] == "diffusion" and record["data"] == {"source": "fashion_mnist", "train_images": 40}
    assert [entry["step"] for entry in record["learning_curve"]] == [1, 2, 3]
    assert record["settings"]["block_out_channels"] == [8, 16, 16]
    unet, scheduler_config = load_diffusion(out, "cpu", torch.float32)
    assert scheduler_config["num_train_timesteps"] == 50
    images = ClassConditionalDiffusionPipeline(unet, scheduler_config)([4], torch.Generator().manual_seed(0), steps=2)
    assert images[0].shape == (28, 28)


def test_dpm_solver_never_starts_where_the_cosine_schedule_has_no_signal():
    """Regression: starting DPM-Solver++ at t=999 (alpha_bar ~ 2e-9) turned every sample into noise."""
    from aigc_demo.models.diffusion import build_training_scheduler, make_scheduler

    config = build_training_scheduler(1000).config
    sampler = make_scheduler("dpm-solver++", config)
    sampler.set_timesteps(20)
    assert int(sampler.timesteps[0]) < 999 and float(sampler.alphas_cumprod[int(sampler.timesteps[0])]) > 1e-3
