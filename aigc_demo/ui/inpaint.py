"""The Inpainting tab: paint a mask (or upload one), fill it with a Pix2Pix model trained here or a classical
method, compare before and after; restore denoises. `/inpaint(image, mask, model)` is the clean API endpoint.

Mask rules (the same for the editor and the API): white = fill; a mask with transparency is a painted layer
(its opaque pixels are the mask); EXIF orientation applied to picture and mask alike; a mask of another size is
resized to the picture's and binarised. In the editor, the mask is the union of the painted layers' pixels
(not the composite, so the paint's colour never leaks into the picture), plus an uploaded mask if given.
Empty mask: inpainters return the picture unchanged with a note; restore cleans the whole picture (with a mask,
only the masked part). A mask over the whole picture is refused for inpainters (nothing left to fill from).
"""
from __future__ import annotations

import time

import gradio as gr
import numpy as np
from PIL import Image

from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.device import describe, effective_dtype, pick_device, pick_dtype
from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.images import fit_photo, open_user_image, to_rgb
from aigc_demo.pipelines.inpaint import (CLASSICAL_MODELS, available_models, check_mask, garment_view, inpaint,
                                         mask_picture, overlay, read_mask, read_model)
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.tempfiles import new_output_path
from aigc_demo.ui.common import examples_table, friendly_errors, how_it_works, run_card_panel

EXAMPLES_DIR = REPO_ROOT / "assets" / "inpaint"
MAX_SIDE = 1024  # longest side the tab works at (CPU latency: `python -m aigc_demo.bench inpaint`)
GARMENT_SCALE = 8  # 28x28 garments shown enlarged, nearest-neighbour
BRUSH_COLOUR = "#ff3030"


# ----------------------------------------------------------------------------- reading inputs
def read_picture(source, what: str = "The picture") -> Image.Image:
    try:
        return open_user_image(source)
    except UserInputError as error:
        raise UserInputError(f"{what}: {error}") from None


def read_mask_file(source, size: tuple[int, int]) -> tuple[np.ndarray, str]:
    """An uploaded mask (path or PIL image) as bool [H, W] for a picture of `size`, and a note."""
    from aigc_demo.images import MAX_PIXELS

    try:
        mask = source if isinstance(source, Image.Image) else Image.open(source)
        if mask.width * mask.height > MAX_PIXELS:
            raise UserInputError("The mask is too large to open safely.")
        mask.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise UserInputError("The mask isn't an image this app can read; upload a PNG or JPEG.") from None
    return read_mask(mask, size)


def editor_inputs(editor: dict | None) -> tuple[Image.Image, np.ndarray]:
    """(picture, painted mask) from an ImageEditor value: the background, and the union of the layers' painted
    (non-transparent) pixels."""
    if not editor or editor.get("background") is None:
        raise UserInputError("Upload a picture first.")
    picture = to_rgb(editor["background"])
    painted = np.zeros((picture.height, picture.width), bool)
    for layer in editor.get("layers") or []:
        if layer is not None:
            layer_mask, _ = read_mask(layer.convert("RGBA"), picture.size)
            painted |= layer_mask
    return picture, painted


def fitted(picture: Image.Image, mask: np.ndarray) -> tuple[Image.Image, np.ndarray, str]:
    """Cap the picture's size; the mask follows it."""
    small, note = fit_photo(picture, MAX_SIDE)
    if small.size != picture.size:
        resized = Image.fromarray(mask.astype(np.uint8) * 255).resize(small.size, Image.BILINEAR)
        mask = np.asarray(resized) >= 128
    return small, mask, note


# ----------------------------------------------------------------------------- running
def fill(picture: Image.Image, mask: np.ndarray, model: str,
         progress=None) -> tuple[Image.Image, Image.Image, np.ndarray, str]:
    """(before, after, mask as used, note) for one picture and mask; `progress` (gr.Progress) hears of each of
    the photo models' eight self-ensemble passes."""
    if model == "pix2pix-fashion":
        garment, small_mask = garment_view(picture, mask)
        state = check_mask(small_mask, model)
        filled = inpaint(garment[:, :, None], small_mask, model, gr.Warning)[:, :, 0]
        note = ("This model works on 28x28 Fashion-MNIST garments: the picture and mask were made grey, square "
                f"and 28x28 (light garment on black) first, and are shown {GARMENT_SCALE}x enlarged.")
        if state == "empty":
            note = "The mask is empty, so nothing was filled; paint over a part of the garment. " + note
        return enlarged(garment), enlarged(filled), enlarged_mask(small_mask), note
    state = check_mask(mask, model)
    pixels = np.asarray(picture)
    on_pass = (lambda done, total: progress((done, total), desc="self-ensemble passes")) if progress else None
    filled = inpaint(pixels, mask, model, gr.Warning, on_pass)
    note = ""
    if state == "empty":
        note = ("No mask, so restore cleaned the whole picture." if model == "restore" else
                "The mask is empty, so the picture is returned unchanged; paint over what to fill.")
    return picture, Image.fromarray(filled), mask, note


def enlarged(garment: np.ndarray) -> Image.Image:
    picture = Image.fromarray(garment).convert("RGB")
    return picture.resize((picture.width * GARMENT_SCALE, picture.height * GARMENT_SCALE), Image.NEAREST)


def enlarged_mask(mask: np.ndarray) -> np.ndarray:
    return np.kron(mask, np.ones((GARMENT_SCALE, GARMENT_SCALE), bool))


def save_png(picture: Image.Image, prefix: str) -> str:
    path = new_output_path(prefix, ".png")
    picture.save(path)
    return str(path)


def checkpoint_of(model: str) -> str:
    if model in CLASSICAL_MODELS:
        return "opencv-python-headless" if model != "biharmonic" else "scikit-image"
    return f"checkpoints/{model}"


def device_of(model: str) -> dict:
    if model in CLASSICAL_MODELS:
        return {"device": "cpu", "dtype": "uint8/float64"}
    return describe(pick_device(), effective_dtype(("inpaint", model), pick_dtype(pick_device())))


def run(picture: Image.Image, mask: np.ndarray, model: str, notes: list[str], progress=None):
    """Everything the tab shows for one request; the result image first."""
    model = read_model(model)
    picture, mask, fit_note = fitted(picture, mask)
    start = time.perf_counter()
    before, after, used_mask, note = fill(picture, mask, model, progress)
    seconds = round(time.perf_counter() - start, 3)
    note = " ".join(filter(None, [*notes, fit_note, note]))
    if note:
        gr.Info(note)
    settings = {"size": list(picture.size), "masked_share": round(float(mask.mean()), 4)}
    card = run_card("inpaint", model, checkpoint_of(model), None, settings, device_of(model), seconds=seconds)
    mask_image = mask_picture(used_mask)
    return (after, (before, after), overlay(before, used_mask), note, save_png(after, "inpaint-result-"),
            save_png(mask_image, "inpaint-mask-"), card, write_run_card(card))


@friendly_errors
def inpaint_image(image, mask=None, model: str = "pix2pix-photo", progress=gr.Progress()):
    """Fill the white part of `mask` in `image` (files). Returns the result, (before, after), the mask overlay,
    a note, the result and mask as PNG files, and the run card."""
    picture = read_picture(image)
    if mask is None:
        return run(picture, np.zeros((picture.height, picture.width), bool), model, [], progress)
    painted, note = read_mask_file(mask, picture.size)
    return run(picture, painted, model, [note], progress)


@friendly_errors
def inpaint_editor(editor, mask_file=None, model: str = "pix2pix-photo", progress=gr.Progress()):
    picture, painted = editor_inputs(editor)
    notes = []
    if mask_file is not None:
        uploaded, note = read_mask_file(mask_file, picture.size)
        painted, notes = painted | uploaded, [note]
    return run(picture, painted, model, notes, progress)


@friendly_errors
def preview(editor, mask_file=None):
    """The picture with its mask tinted, as the tab will use it (no message while nothing is uploaded)."""
    if not editor or editor.get("background") is None:
        return None
    picture, painted = editor_inputs(editor)
    if mask_file is not None:
        painted = painted | read_mask_file(mask_file, picture.size)[0]
    return overlay(picture, painted)


def brush_sized(size: float):
    size = int(max(1, min(200, size or 1)))
    return gr.ImageEditor(brush=gr.Brush(default_size=size, colors=[BRUSH_COLOUR], color_mode="fixed"),
                          eraser=gr.Eraser(default_size=size))


def examples(models: list[str]) -> list[list]:
    rows = [["chelsea.jpg", "chelsea-mask.png", "pix2pix-photo"], ["coffee.jpg", "coffee-mask.png", "pix2pix-photo"],
            ["chelsea.jpg", "chelsea-mask.png", "telea"], ["sneaker.png", "sneaker-mask.png", "pix2pix-fashion"],
            ["ankle-boot.png", "ankle-boot-mask.png", "pix2pix-fashion"], ["rocket-noisy.jpg", None, "restore"]]
    return [[str(EXAMPLES_DIR / p), str(EXAMPLES_DIR / m) if m else None, model]
            for p, m, model in rows if model in models]


def into_editor(picture: str | None, mask_file=None):
    """An example picture as the editor's background (no paint), and the overlay of the example's mask."""
    if not picture:
        return None, None
    background = read_picture(picture)
    mask = np.zeros((background.height, background.width), bool)
    if mask_file is not None:
        mask = read_mask_file(mask_file, background.size)[0]
    return {"background": background, "layers": [], "composite": background}, overlay(background, mask)


# ----------------------------------------------------------------------------- layout
def build_inpaint_tab() -> None:
    """The tab. Its "send to Style transfer" button is wired in ui/crosstab.py, with the other tabs' buttons."""
    models = available_models()
    default = "pix2pix-photo" if "pix2pix-photo" in models else models[0]
    with gr.Row():
        with gr.Column(scale=1):
            editor = gr.ImageEditor(label=t("inpaint.editor"), type="pil", image_mode="RGBA", format="png",
                                    sources=("upload", "clipboard"), transforms=(), height=420,
                                    brush=gr.Brush(default_size=24, colors=[BRUSH_COLOUR], color_mode="fixed"),
                                    eraser=gr.Eraser(default_size=24), elem_id="inpaint-editor")
            brush = gr.Slider(2, 120, value=24, step=1, label=t("inpaint.brush_size"))
            mask_file = gr.File(label=t("inpaint.mask_upload"), file_types=["image"], type="filepath", height=90,
                                elem_id="inpaint-mask-upload")
            model = gr.Dropdown(models, value=default, label=t("inpaint.model"), info=t("inpaint.model_info"))
            go = gr.Button(t("inpaint.run"), variant="primary", elem_id="inpaint-run")
        with gr.Column(scale=1):
            shown = gr.Image(label=t("inpaint.overlay"), type="pil", interactive=False, height=220,
                             elem_id="inpaint-overlay")
            slider = gr.ImageSlider(label=t("inpaint.before_after"), type="pil", format="png", max_height=460,
                                    elem_id="inpaint-slider")
            result = gr.Image(label=t("inpaint.result"), type="pil", format="png", interactive=False, height=220,
                              elem_id="inpaint-result", buttons=["download", "fullscreen"])
            note = gr.Markdown(elem_id="inpaint-note")
            with gr.Row():
                result_file = gr.DownloadButton(t("inpaint.download_result"), size="sm", elem_id="inpaint-download")
                mask_out = gr.DownloadButton(t("inpaint.download_mask"), size="sm", elem_id="inpaint-download-mask")
            gr.Button(t("inpaint.send_to_style"), size="sm", elem_id="inpaint-send-style")
            card, card_file = run_card_panel()
    outputs = [result, slider, shown, note, result_file, mask_out, card, card_file]
    # Examples go through a hidden picture: the table shows no thumbnail for an ImageEditor column.
    example_picture = gr.Image(visible="hidden", type="filepath")  # mounted (so it emits change), not shown
    shelf = examples_table(examples(models), [example_picture, mask_file, model], ["picture", "mask", "model"],
                           label=t("inpaint.examples"))
    shelf.dataset.elem_id = "inpaint-examples"
    go.click(inpaint_editor, [editor, mask_file, model], outputs, api_visibility="undocumented",
             concurrency_id="inpaint_models", concurrency_limit=2)
    # The clean API: picture and mask as plain files, separate from the editor's layered value.
    api_image = gr.File(visible=False, type="filepath")
    api_mask = gr.File(visible=False, type="filepath")
    api_button = gr.Button(visible=False)
    api_button.click(inpaint_image, [api_image, api_mask, model], outputs, api_name="inpaint",
                     concurrency_id="inpaint_models", concurrency_limit=2)
    for trigger in (editor.change, mask_file.change):
        trigger(preview, [editor, mask_file], shown, api_visibility="undocumented", trigger_mode="always_last")
    example_picture.change(friendly_errors(into_editor), [example_picture, mask_file], [editor, shown],
                           api_visibility="undocumented", queue=False)
    brush.release(brush_sized, brush, editor, api_visibility="undocumented", queue=False)
    with gr.Accordion(t("how"), open=False):
        gr.Markdown(how_it_works([m for m in models if m not in CLASSICAL_MODELS], "how.inpaint"))
