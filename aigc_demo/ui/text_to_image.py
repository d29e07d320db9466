"""Text to image, as the Image tab's first panel and the Multimodal tab's: the emoji latent-diffusion model by
default (prompt, negative prompt, style, steps, guidance, sampler, seed; previews stream in), with the
Fashion-MNIST garment mapping kept as a choice. /text_to_image is its API."""
from __future__ import annotations

import html
import time

import gradio as gr
import numpy as np
from PIL import Image

from aigc_demo.device import describe
from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.pipelines import text_to_image as t2i
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.seeding import resolve_seed, torch_generator
from aigc_demo.streaming import iterate_steps
from aigc_demo.errors import clean_text
from aigc_demo.ui.common import (clamp, friendly_errors, run_card_panel, seed_controls, seed_used_box,
                                 wire_seed_buttons)

S = t2i.SETTINGS
GARMENTS = "fashion-mnist"
MODELS = (t2i.MODEL_NAME, GARMENTS)
EXAMPLES = [["a red apple", "any"], ["a smiling sun", "3d"], ["a cat face", "flat"], ["a rocket", "twemoji"],
            ["a slice of pizza", "3d"], ["a blue heart", "any"], ["a snowman", "flat"], ["an owl", "3d"]]


def for_display(image: np.ndarray) -> Image.Image:
    """64x64 is a thumbnail on screen: shown at 4x with Lanczos resampling (smooth, like the emoji's own renders)."""
    size = image.shape[1] * S.display_scale, image.shape[0] * S.display_scale
    return Image.fromarray(image).resize(size, Image.Resampling.LANCZOS)


def available_models() -> list[str]:
    return [t2i.MODEL_NAME] * t2i.is_available() + [GARMENTS]


def read_model(model: str) -> str:
    if model not in MODELS:
        raise UserInputError(f"Pick a model from {', '.join(available_models())}; {str(model)[:40]!r} is not one.")
    if model not in available_models():
        raise UserInputError(f"The {model} model is not bundled in this build; pick {GARMENTS}.")
    return model


def read_settings(num_images, steps, guidance_scale, scheduler, style) -> dict:
    """API numbers clamped to the sliders' ranges; names checked against the menus."""
    if scheduler not in S.schedulers:
        raise UserInputError(f"Pick a scheduler from {', '.join(S.schedulers)}.")
    if style not in t2i.STYLES:
        raise UserInputError(f"Pick a style from {', '.join(t2i.STYLES)}.")
    return {"num_images": int(clamp(num_images, 1, S.max_images, int)), "steps": int(clamp(steps, 1, S.max_steps, int)),
            "guidance_scale": clamp(guidance_scale, 0.0, S.max_guidance), "scheduler": scheduler, "style": style}


@friendly_errors
def text_to_image(prompt: str, num_images: int = S.num_images, seed: int = -1, negative_prompt: str = "",
                  style: str = S.style, steps: int = S.steps, guidance_scale: float = S.guidance_scale,
                  scheduler: str = S.scheduler, model: str = t2i.MODEL_NAME, progress=gr.Progress()):
    """Draw what a prompt describes. Streams previews; returns the gallery, how the prompt was read, the run card
    and the seed used."""
    if read_model(model) == GARMENTS:
        from aigc_demo.ui.multimodal import garment_text_to_image

        yield garment_text_to_image(prompt, num_images, seed)
        return
    settings = read_settings(num_images, steps, guidance_scale, scheduler, style)
    text = t2i.styled(t2i.check_prompt(clean_text(prompt)), settings["style"])
    negative, seed = clean_text(negative_prompt)[: t2i.MAX_PROMPT_CHARS], resolve_seed(seed)
    pipeline = t2i.text_to_image_pipeline()
    start = time.perf_counter()
    images = None
    run = lambda on_step: pipeline(text, torch_generator(seed), negative, settings["num_images"], settings["steps"],
                                   settings["guidance_scale"], settings["scheduler"], on_step)
    for kind, payload in iterate_steps(run):
        if kind == "step":
            index, total, preview = payload
            progress((index + 1, total), desc="denoising")
            if preview is not None:
                yield [for_display(p) for p in preview], gr.skip(), gr.skip(), gr.skip(), seed
        else:
            images = payload
    seconds = time.perf_counter() - start
    card = run_card("text_to_image", pipeline.name, pipeline.checkpoint, seed,
                    {"prompt": text, "negative_prompt": negative, **settings,
                     "display": f"{pipeline.image_size}px, shown at {S.display_scale}x (Lanczos)"},
                    describe(pipeline.device, pipeline.dtype), seconds=round(seconds, 2))
    yield ([(for_display(image), text[:60]) for image in images], read_as(pipeline, text), card,
           write_run_card(card), seed)


@friendly_errors
def text_to_image_batched(prompt: list[str], seed: list[int], style: list[str]) -> list[list]:
    """One image per request at the default settings; Gradio gathers up to S.max_batch waiting requests into one
    call (each argument is a list, one entry per request) and they are denoised as one batch of different prompts.
    Each request's noise comes from its own seed and the default sampler is deterministic, so its picture is the
    one /text_to_image draws with num_images=1. A bad prompt fails its batch with its one-sentence reason."""
    pipeline = t2i.text_to_image_pipeline()
    requests = []
    for text, number, word in zip(prompt, seed, style):
        styled = t2i.styled(t2i.check_prompt(clean_text(text)), word if word in t2i.STYLES else S.style)
        requests += pipeline.draw(styled, "", 1, torch_generator(resolve_seed(number)))
    return [[for_display(image) for image in pipeline.render(requests)]]


def build_batched_endpoint() -> None:
    """/text_to_image_batched: API only (hidden inputs), for scripts sending many one-picture requests."""
    with gr.Row(visible=False):
        prompt = gr.Textbox(value="a red apple")
        seed = gr.Number(value=0, precision=0, minimum=0, maximum=2**32 - 1)
        style = gr.Dropdown(list(t2i.STYLES), value=S.style)
        image = gr.Image(type="pil", format="png")
        trigger = gr.Button()
    trigger.click(text_to_image_batched, [prompt, seed, style], image, api_name="text_to_image_batched", batch=True,
                  max_batch_size=S.max_batch, concurrency_id="image_models")


def read_as(pipeline, text: str) -> str:
    """What the text encoder reads: the prompt with its style word, cut at the tokens the model was trained on."""
    tokenizer = pipeline.pipe.tokenizer
    ids = tokenizer(text, truncation=True, max_length=tokenizer.model_max_length).input_ids
    kept = tokenizer.decode(ids, skip_special_tokens=True)
    cut = len(tokenizer(text).input_ids) > len(ids)
    # Escaped: the prompt is the user's text and this is rendered as Markdown.
    return f"Read as: \u201c{html.escape(kept)}\u201d" + (f" (cut at {tokenizer.model_max_length} tokens)" if cut else "")


def build_text_to_image_panel(api_name: str | None, prefix: str) -> gr.Gallery:
    """The panel; `api_name` None keeps its events out of the API (the other tab's panel is the documented one)."""
    models = available_models()
    with gr.Row():
        with gr.Column(scale=1):
            prompt = gr.Textbox(label=t("t2i.prompt"), placeholder="a red apple", max_length=100_000,
                                elem_id=f"{prefix}-prompt")
            negative = gr.Textbox(value="", label=t("t2i.negative"), placeholder="blurry", max_length=100_000)
            style = gr.Radio(list(t2i.STYLES), value=S.style, label=t("t2i.style"))
            count = gr.Slider(1, S.max_images, value=S.num_images, step=1, label=t("mm.num_images"),
                              elem_id=f"{prefix}-count")
            seed, randomize, reuse = seed_controls()
            seed.elem_id = f"{prefix}-seed"
            with gr.Accordion(t("t2i.sampling"), open=False):
                model = gr.Dropdown(models, value=models[0], label=t("image.model"))
                scheduler = gr.Dropdown(list(S.schedulers), value=S.scheduler, label=t("image.scheduler"))
                steps = gr.Slider(1, S.max_steps, value=S.steps, step=1, label=t("image.steps"))
                guidance = gr.Slider(0, S.max_guidance, value=S.guidance_scale, step=0.5, label=t("t2i.guidance"))
            with gr.Row():
                go = gr.Button(t("mm.draw"), variant="primary", elem_id=f"{prefix}-draw")
                stop = gr.Button(t("text.stop"), variant="stop", elem_id=f"{prefix}-stop")
            gr.Examples(EXAMPLES, [prompt, style])
        with gr.Column(scale=2):
            images = gr.Gallery(label=t("mm.images"), columns=4, height="auto", format="png", type="filepath",
                                buttons=["download", "fullscreen"], elem_id=f"{prefix}-images")
            with gr.Row():
                gr.Button(t("mm.send_style"), size="sm", elem_id=f"{prefix}-send-style")
                gr.Button(t("mm.send_inpaint"), size="sm", elem_id=f"{prefix}-send-inpaint")
            understood = gr.Markdown(elem_id=f"{prefix}-understood")
            seed_used = seed_used_box()
            card, card_file = run_card_panel()
    wire_seed_buttons(seed, randomize, reuse, seed_used)
    inputs = [prompt, count, seed, negative, style, steps, guidance, scheduler, model]
    outputs = [images, understood, card, card_file, seed_used]
    # Explicit names: Gradio would otherwise name the first-built panel's event after the function, taking
    # /text_to_image from the documented one.
    visibility = {"api_name": api_name} if api_name else {"api_name": f"{prefix}_draw", "api_visibility": "undocumented"}
    event = go.click(text_to_image, inputs, outputs, concurrency_id="image_models", concurrency_limit=2, **visibility)
    submitted = prompt.submit(text_to_image, inputs, outputs, api_name=f"{prefix}_submit", api_visibility="undocumented",
                              concurrency_id="image_models")
    stop.click(None, cancels=[event, submitted])
    return images
