"""The emoji text-to-image model: its data loader (on PNGs written here), trainers (smoke), pipeline and UI handler."""
from __future__ import annotations

import json
import shutil

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

from aigc_demo.errors import UserInputError
from aigc_demo.seeding import torch_generator


def write_emoji_cache(root):
    """A three-style emoji cache in the npm packages' layout: two concepts, one with a skin tone."""
    entries = [{"unified": "1F34E", "image": "1f34e.png", "name": "RED APPLE", "short_names": ["apple"],
                "category": "Food & Drink", "subcategory": "food-fruit", "sort_order": 1},
               {"unified": "1F385", "image": "1f385.png", "name": "FATHER CHRISTMAS", "short_names": ["santa"],
                "category": "People & Body", "subcategory": "person-fantasy", "sort_order": 2,
                "skin_variations": {"1F3FF": {"unified": "1F385-1F3FF", "image": "1f385-1f3ff.png"}}}]
    colours = {"1f34e": (220, 20, 20, 255), "1f385": (200, 0, 0, 255), "1f385-1f3ff": (90, 50, 30, 255)}
    for key, folder in (("google", "img/google/64"), ("twitter", "img/twitter/64"), ("fluent", "assets")):
        package = root / {"google": "emoji-datasource-google", "twitter": "emoji-datasource-twitter",
                          "fluent": "lobehub-fluent-emoji-3d"}[key] / "package"
        (package / folder).mkdir(parents=True)
        (package / "package.json").write_text("{}")
        for stem, colour in colours.items():
            size, suffix = (256, ".webp") if key == "fluent" else (64, ".png")
            Image.new("RGBA", (size, size), colour).save(package / folder / f"{stem}{suffix}")
    google = root / "emoji-datasource-google" / "package"
    (google / "emoji.json").write_text(json.dumps(entries))
    lib = root / "emojilib" / "package"
    (lib / "dist").mkdir(parents=True)
    (lib / "package.json").write_text("{}")
    (lib / "dist" / "emoji-en-US.json").write_text(json.dumps({"🍎": ["red_apple", "fruit", "food"]}))
    return root


def test_the_loader_captions_every_style_and_records_its_licence(tmp_path):
    from aigc_demo.data import emoji

    root = write_emoji_cache(tmp_path / "emoji")
    items = emoji.records(root)
    assert len(items) == 9  # 3 images x 3 styles
    apple = next(r for r, _ in items if r.unified == "1F34E" and r.source == "fluent")
    assert apple.caption() == "red apple, 3d emoji" and apple.keywords == ("fruit", "food")
    assert apple.license.startswith("MIT") and apple.subcategory == "food-fruit"
    toned = next(r for r, _ in items if r.unified == "1F385-1F3FF" and r.source == "twitter")
    assert toned.concept == "1F385" and "dark skin tone" in toned.caption() and "CC-BY-4.0" in toned.license
    assert toned.heldout_caption().startswith("an icon showing")
    image = emoji.load_image(next(p for r, p in items if r.source == "fluent"))
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8  # 256 px WebP downscaled
    assert emoji.image_array(root).shape == (9, 64, 64, 3)


def test_the_held_out_concepts_are_fixed_and_rare():
    from aigc_demo.data.emoji import is_heldout_concept

    concepts = [f"1F{n:03X}" for n in range(2000)]
    share = np.mean([is_heldout_concept(c) for c in concepts])
    assert 0.02 < share < 0.09 and is_heldout_concept(concepts[0]) == is_heldout_concept(concepts[0])


def test_a_missing_cache_names_the_fetch_command(tmp_path):
    from aigc_demo.data import emoji

    with pytest.raises(FileNotFoundError, match="python -m aigc_demo.data.emoji fetch"):
        emoji.records(tmp_path / "nothing")


def test_smoke_trainers_write_loadable_checkpoints_and_resume(tmp_path):
    from diffusers import StableDiffusionPipeline

    from aigc_demo.models.emoji_judge import EmojiJudge
    from aigc_demo.train.emoji_judge import main as train_judge
    from aigc_demo.train.emoji_vae import main as train_vae
    from aigc_demo.train.text_to_image import main as train_t2i

    train_vae(["--smoke", "--out", str(tmp_path / "vae"), "--state-dir", str(tmp_path / "s1")])
    assert (tmp_path / "vae" / "vae" / "diffusion_pytorch_model.safetensors").is_file()
    out = tmp_path / "sd"
    train_t2i(["--smoke", "--out", str(out), "--state-dir", str(tmp_path / "s2")])
    train_t2i(["--smoke", "--out", str(out), "--state-dir", str(tmp_path / "s2"), "--resume", "--max-steps", "5"])
    record = json.loads((out / "training.json").read_text())
    assert record["learning_curve"][-1]["step"] == 5 and "val_unseen" in record["learning_curve"][-1]
    pipe = StableDiffusionPipeline.from_pretrained(str(out), torch_dtype=torch.float32)
    assert pipe.tokenizer.model_max_length == 24 and pipe.unet.config.cross_attention_dim == 384
    assert "dragon" in json.loads((out / "subjects.json").read_text())  # what stories may ask it to draw
    train_judge(["--smoke", "--out", str(tmp_path / "judge"), "--state-dir", str(tmp_path / "s3")])
    assert EmojiJudge.from_pretrained(str(tmp_path / "judge")).classes == ["a", "b", "c"]


@pytest.fixture
def pipeline(tiny_checkpoints):
    from aigc_demo.pipelines.text_to_image import text_to_image_pipeline

    return text_to_image_pipeline()


def test_the_same_seed_gives_the_same_images_and_batching_keeps_them(pipeline):
    first = pipeline("a red apple", torch_generator(7), num_images=2, steps=4)
    again = pipeline("a red apple", torch_generator(7), num_images=2, steps=4)
    assert first[0].shape == (64, 64, 3) and all(np.array_equal(a, b) for a, b in zip(first, again))
    alone = pipeline("a cat", torch_generator(8), num_images=1, steps=4)
    batch = pipeline.render(pipeline.draw("a red apple", "", 2, torch_generator(7))
                            + pipeline.draw("a cat", "", 1, torch_generator(8)), steps=4)
    assert np.array_equal(batch[0], first[0]) and np.array_equal(batch[2], alone[0])


@pytest.mark.parametrize("scheduler", ["dpm-solver++", "ddim", "euler", "ddpm"])
def test_every_scheduler_draws_reproducibly(pipeline, scheduler):
    run = lambda: pipeline("a rocket", torch_generator(3), num_images=1, steps=3, scheduler=scheduler)[0]
    assert np.array_equal(run(), run())


def test_previews_stream_and_stop_ends_early(pipeline):
    seen = []
    images = pipeline("a sun", torch_generator(1), num_images=2, steps=10,
                      on_step=lambda i, n, preview: (seen.append((i, preview)), i >= 3)[1])
    assert [i for i, _ in seen] == [0, 1, 2, 3] and len(images) == 2
    assert seen[0][1][0].shape == (64, 64, 3) and seen[1][1] is None  # previews every other step


@pytest.mark.parametrize("prompt, settings, message", [
    ("", {}, "Type a prompt"), ("!!! ???", {}, "no words"), ("🙂🙂", {}, "no words"),
    ("a cat", {"steps": 0}, "steps between 1 and 100"), ("a cat", {"guidance_scale": 50}, "guidance scale"),
    ("a cat", {"scheduler": "magic"}, "Pick a scheduler"), ("a cat", {"num_images": 17}, "between 1 and 16")])
def test_bad_requests_get_one_sentence(pipeline, prompt, settings, message):
    with pytest.raises(UserInputError, match=message):
        pipeline(prompt, torch_generator(0), **settings)


def test_style_words_join_the_prompt_once():
    from aigc_demo.pipelines.text_to_image import styled

    assert styled("a red apple", "3d") == "a red apple, 3d emoji"
    assert styled("a 3d red apple", "3d") == "a 3d red apple" and styled("an owl", "any") == "an owl"
    with pytest.raises(UserInputError, match="Pick a style"):
        styled("an owl", "oil painting")


def test_a_damaged_checkpoint_switches_the_model_off(tiny_checkpoints, tmp_path, monkeypatch):
    from aigc_demo.errors import ModelUnavailableError
    from aigc_demo.pipelines import text_to_image as t2i
    from aigc_demo.ui.text_to_image import available_models

    root = tmp_path / "checkpoints"
    shutil.copytree(tiny_checkpoints / "emoji-sd", root / "emoji-sd")
    (root / "emoji-sd" / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(b"not safetensors")
    monkeypatch.setenv("AIGC_CHECKPOINTS", str(root))
    assert not t2i.is_available() and available_models() == ["fashion-mnist"]
    with pytest.raises(ModelUnavailableError, match="emoji-sd"):
        t2i.text_to_image_pipeline()


def test_the_handler_streams_previews_then_a_run_card(tiny_checkpoints):
    from aigc_demo.ui.text_to_image import text_to_image

    outputs = list(text_to_image("a red apple", 2, 11, "", "flat", 4, 3.0, "ddim"))
    gallery, understood, card, card_file, seed = outputs[-1]
    assert len(outputs) >= 3 and seed == 11 and len(gallery) == 2
    assert gallery[0][0].size == (256, 256) and "flat" in understood
    assert card["model"] == "emoji-sd" and card["settings"]["steps"] == 4 and card["device"] == "cpu"
    assert card["settings"]["prompt"] == "a red apple, flat emoji" and json.load(open(card_file))["seed"] == 11


def test_the_batched_endpoint_draws_each_request_as_it_would_alone(tiny_checkpoints):
    from aigc_demo.ui.text_to_image import text_to_image, text_to_image_batched

    [batched] = text_to_image_batched(["a red apple", "a cat face", "a red apple"], [3, 4, 5], ["any", "3d", "any"])
    assert len(batched) == 3 and batched[0].size == (256, 256)
    alone = list(text_to_image("a cat face", 1, 4, style="3d"))[-1][0][0][0]
    assert np.abs(np.asarray(batched[1], dtype=int) - np.asarray(alone, dtype=int)).max() <= 2
    with pytest.raises(gr.Error, match="Type a prompt"):
        text_to_image_batched(["a red apple", "  "], [1, 2], ["any", "any"])
