"""The Image tab: DCGAN, VAE, diffusion and a style-based GAN trained here on Fashion-MNIST; gallery, previews, latent explorer."""
from __future__ import annotations

import time

import gradio as gr
import numpy as np
from PIL import Image

from aigc_demo.data.fashion_mnist import CLASS_NAMES
from aigc_demo.device import describe, pick_device
from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.images import as_fashion_mnist, open_user_image
from aigc_demo.pipelines.convert import to_uint8
from aigc_demo.pipelines.image import (IMAGE_MODELS, available_image_models, damaged_image_models, image_model,
                                       run_image_model, wrap)
from aigc_demo.pipelines.latent import resolve_labels
from aigc_demo.pipelines.stylegan import CROSSOVERS
from aigc_demo.pipelines.vae import latent_map, reconstruct
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.seeding import resolve_seed, torch_generator
from aigc_demo.tempfiles import new_output_path
from aigc_demo.streaming import iterate_steps
from aigc_demo.ui.common import (bilingual_note, clamp, damaged_models_note, friendly_errors, how_it_works,
                                 run_card_panel, seed_controls, seed_used_box, wire_seed_buttons)
from aigc_demo.ui.session import session_entry, session_label, session_picker
from aigc_demo.ui.text_to_image import build_text_to_image_panel

RANDOM_LABEL = "random"
SCHEDULER_CHOICES = ["ddim", "dpm-solver++", "ddpm"]
DISPLAY_SCALE = 4  # 28x28 is tiny on screen; nearest-neighbour keeps the pixels honest
MAX_IMAGES = 64


def read_label(label) -> int | None:
    """A class name, its index (0-9) or 'random'/empty -> class index or None."""
    text = str(label if label is not None else "").strip()
    if text in ("", RANDOM_LABEL):
        return None
    if text in CLASS_NAMES:
        return CLASS_NAMES.index(text)
    if text.isdigit() and int(text) < len(CLASS_NAMES):
        return int(text)
    raise UserInputError(f"'{text[:40]}' is not a class; pick one of: {', '.join(CLASS_NAMES)}, or random.")


def read_model(model) -> str:
    if model not in IMAGE_MODELS:
        raise UserInputError(f"Pick a model from {', '.join(available_image_models())}; '{str(model)[:40]}' is not one.")
    if model not in available_image_models():
        raise UserInputError(f"The {model} model hasn't landed in this build yet; pick one of "
                             f"{', '.join(available_image_models())}.")
    return model


def for_display(image: np.ndarray) -> Image.Image:
    return Image.fromarray(image).resize((image.shape[1] * DISPLAY_SCALE, image.shape[0] * DISPLAY_SCALE), Image.NEAREST)


def gallery(images: list[np.ndarray], captions: list[str] | None = None) -> list[tuple[Image.Image, str]]:
    captions = captions or [""] * len(images)
    return [(for_display(image), caption) for image, caption in zip(images, captions)]


def sampling_options(model: str, steps, scheduler, guidance_scale, truncation) -> dict:
    if model == "diffusion":
        if scheduler not in SCHEDULER_CHOICES:
            raise UserInputError(f"Pick a scheduler from {', '.join(SCHEDULER_CHOICES)}.")
        return {"scheduler": scheduler, "steps": int(clamp(steps, 1, 1000, int)),
                "guidance_scale": clamp(guidance_scale, 0.0, 10.0)}
    return {"truncation": clamp(truncation, 0.05, 2.0)}


@friendly_errors
def generate_image(model: str = "stylegan", num_images: int = 16, seed: int = -1, label: str = RANDOM_LABEL,
                   steps: int = 25, scheduler: str = "ddim", guidance_scale: float = 1.5, truncation: float = 1.0,
                   progress=gr.Progress()):
    """Generate Fashion-MNIST images; diffusion streams its intermediate estimates into the gallery."""
    model, class_label = read_model(model), read_label(label)
    count = int(clamp(num_images, 1, MAX_IMAGES, int))
    seed = resolve_seed(seed)
    options = sampling_options(model, steps, scheduler, guidance_scale, truncation)
    labels = [class_label] * count
    start = time.perf_counter()
    images = None
    for kind, payload in run_image_model(model, lambda pipe: sampled(pipe, labels, seed, options), gr.Warning):
        if kind == "step":
            index, total, preview = payload
            progress((index + 1, total), desc="denoising")
            if index % 2 == 0 or index + 1 == total:
                yield gallery(to_uint8(preview)), gr.skip(), gr.skip(), seed
        else:
            images, pipeline_dtype = payload
    seconds = time.perf_counter() - start
    captions = [CLASS_NAMES[c] for c in drawn_labels(labels, seed)]
    card = run_card("image", model, f"checkpoints/{model}", seed,
                    {"num_images": count, "label": label, **options}, describe(pick_device(), pipeline_dtype),
                    seconds=round(seconds, 2), images_per_second=round(count / seconds, 1))
    yield gallery(images, captions), card, write_run_card(card), seed


BATCH_SIZE = 16  # requests Gradio gathers into one /generate_image_batched call
# The batched endpoint's fixed sampling settings (the Generate panel's defaults).
BATCHED_OPTIONS = {"diffusion": ("ddim", 25, 1.5)}


@friendly_errors
def generate_image_batched(model: list[str], seed: list[int], label: list[str]) -> list[list]:
    """One image per request; Gradio gathers up to BATCH_SIZE waiting requests into one call (so each argument
    is a list, one entry per request), and each model's requests run as one forward batch. Each request keeps
    its own seed: its labels and latents (noise) are drawn from its own generator before the batch is rendered."""
    images: list = [None] * len(model)
    for name in sorted(set(model)):
        indices = [i for i, m in enumerate(model) if m == name]
        requests = [(resolve_seed(seed[i]), read_label(label[i])) for i in indices]
        rendered = list(run_image_model(read_model(name), lambda pipe: iter([render_batch(pipe, name, requests)]),
                                        gr.Warning))[0]
        for i, image in zip(indices, rendered):
            images[i] = for_display(image)
    return [images]


def render_batch(pipeline, model: str, requests: list[tuple[int, int | None]]) -> list[np.ndarray]:
    draws = [pipeline.draw([label], torch_generator(seed)) for seed, label in requests]
    if model in BATCHED_OPTIONS:
        return pipeline.render(draws, torch_generator(0), *BATCHED_OPTIONS[model])  # DDIM: no per-step noise
    return pipeline.render(draws)


def drawn_labels(labels: list[int | None], seed: int) -> list[int]:
    """The class of each image: every pipeline's first draw from the request's generator picks the labels left
    open (pipelines.latent.resolve_labels), so the same draw here names them for the captions."""
    return resolve_labels(labels, len(CLASS_NAMES), torch_generator(seed)).tolist()


def sampled(pipeline, labels: list[int | None], seed: int, options: dict):
    """Run one pipeline call, yielding ("step", ...) previews (diffusion) then ("done", (images, dtype))."""
    generator = torch_generator(seed)
    yield from with_steps(pipeline, lambda **extra: pipeline(labels, generator, **options, **extra), options)


def with_steps(pipeline, call, options: dict):
    """("step", ...) for each denoising step when the call takes a sampler (diffusion), then ("done", (result,
    dtype)). `call(**extra)` runs the pipeline; diffusion gets its on_step callback through `extra`."""
    dtype = getattr(pipeline, "dtype", None) or pipeline.unet.dtype
    if "scheduler" in options:
        for kind, payload in iterate_steps(lambda on_step: call(on_step=on_step)):
            yield (kind, payload) if kind == "step" else ("done", (payload, dtype))
    else:
        yield "done", (call(), dtype)


@friendly_errors
def interpolate_latents(model: str = "dcgan", seed_a: int = 1, seed_b: int = 2, steps: int = 10,
                        label: str = RANDOM_LABEL, truncation: float = 1.0, progress=gr.Progress()):
    """Frames along the spherical path between two seeds' latents (diffusion: starting noises), as a strip,
    an animated GIF and a run card."""
    model, class_label = read_model(model), read_label(label)
    frames_wanted = int(clamp(steps, 2, 64, int))
    seeds = resolve_seed(seed_a), resolve_seed(seed_b)
    options = INTERPOLATION_OPTIONS.get(model, {"truncation": clamp(truncation, 0.05, 2.0)})
    start, frames = time.perf_counter(), None
    for kind, payload in run_image_model(model, lambda pipe: interpolated(pipe, seeds, frames_wanted, class_label,
                                                                          options), gr.Warning):
        if kind == "step":
            progress((payload[0] + 1, payload[1]), desc="denoising")
        else:
            frames, pipeline_dtype = payload
    card = run_card("interpolation", model, f"checkpoints/{model}", seeds[0],
                    {"seed_b": seeds[1], "frames": frames_wanted, "label": label, **options},
                    describe(pick_device(), pipeline_dtype), seconds=round(time.perf_counter() - start, 2))
    yield gallery(frames), animated_gif(frames), write_run_card(card)


# Diffusion interpolates its starting noise and needs a deterministic sampler; the tab's defaults.
INTERPOLATION_OPTIONS = {"diffusion": {"scheduler": "ddim", "steps": 25, "guidance_scale": 1.5}}


def interpolated(pipeline, seeds: tuple[int, int], frames: int, label: int | None, options: dict):
    """("step", ...) progress for diffusion, then ("done", (frames, dtype))."""
    yield from with_steps(pipeline, lambda **extra: pipeline.interpolate(*seeds, frames, label, **options, **extra),
                          options)


@friendly_errors
def style_mix(row_seeds: str = "1, 2, 3", column_seeds: str = "4, 5, 6", label: str = RANDOM_LABEL,
              crossover: str = "coarse", truncation: float = 1.0):
    """StyleGAN's mixing grid: rows keep their coarse styles, columns lend the rest."""
    read_model("stylegan")
    rows, columns = read_seed_list(row_seeds), read_seed_list(column_seeds)
    class_label, psi = read_label(label), clamp(truncation, 0.05, 2.0)
    grid = list(run_image_model("stylegan", lambda pipe: iter([pipe.style_mix(rows, columns, class_label, crossover,
                                                                              psi)]), gr.Warning))[0]
    captions = [""] + [f"B {s}" for s in columns]
    for r, seed in enumerate(rows):
        captions += [f"A {seed}"] + [f"A {seed} + B {c}" for c in columns]
    return gallery(grid, captions)


def read_seed_list(text) -> list[int]:
    """'1, 2, 3' -> [1, 2, 3] (1 to 8 seeds)."""
    parts = [p for p in str(text or "").replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise UserInputError("Give seeds as whole numbers separated by commas, for example 1, 2, 3.")
    if len(parts) > 8:
        raise UserInputError("Use at most 8 seeds per side of the mixing grid.")
    return [resolve_seed(int(p)) for p in parts]


@friendly_errors
def reconstruct_image(image, label: str = "T-shirt/top"):
    """The VAE's reconstruction of an uploaded picture (made Fashion-MNIST-like first)."""
    class_label = read_label(label)
    if class_label is None:
        raise UserInputError("Pick the class of the uploaded picture: the VAE is conditioned on it.")
    original = as_fashion_mnist(open_user_image(image))
    rebuilt = list(run_image_model("vae", lambda vae: iter([reconstruct(vae, original, class_label)]), gr.Warning,
                                   make=image_model))[0]
    return for_display(original), for_display(rebuilt)


@friendly_errors
def vae_latent_map(label: str = "Sneaker", size: int = 9):
    """Decode a grid over the VAE's first two latent axes for one class."""
    class_label = read_label(label)
    if class_label is None:
        raise UserInputError("Pick a class for the latent map.")
    size = int(clamp(size, 2, 16, int))
    frames = list(run_image_model("vae", lambda vae: iter([latent_map(vae, class_label, size)]), gr.Warning,
                                  make=image_model))[0]
    return [(for_display(frame), "") for frame in frames]


def animated_gif(frames: list[np.ndarray]) -> str:
    """A back-and-forth loop of the frames, saved where Gradio can serve it."""
    pictures = [for_display(frame) for frame in frames + frames[-2:0:-1]]
    path = str(new_output_path("interpolation-", ".gif"))
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=120, loop=0)
    return path


def build_generate_panel(models: list[str], session_models: gr.State | None = None) -> None:
    # The best-measured model first (see the README's table), then the one that shows its steps.
    default = next((m for m in ("stylegan", "diffusion") if m in models), models[0])
    with gr.Row():
        with gr.Column(scale=1):
            model = gr.Dropdown(models, value=default, label=t("image.model"))
            label = gr.Dropdown([RANDOM_LABEL, *CLASS_NAMES], value=RANDOM_LABEL, label=t("image.label"))
            count = gr.Slider(1, MAX_IMAGES, value=16, step=1, label=t("image.num_images"))
            seed, randomize, reuse = seed_controls()
            with gr.Accordion(t("image.diffusion_settings"), open=True, visible=default == "diffusion") as diffusion_box:
                scheduler = gr.Dropdown(SCHEDULER_CHOICES, value="ddim", label=t("image.scheduler"))
                steps = gr.Slider(1, 1000, value=25, step=1, label=t("image.steps"))
                guidance = gr.Slider(0, 10, value=1.5, step=0.1, label=t("image.guidance"))
            truncation = gr.Slider(0.05, 2, value=1.0, step=0.05, label=t("image.truncation"),
                                   visible=default != "diffusion")
            with gr.Row():
                go = gr.Button(t("image.generate"), variant="primary", elem_id="image-generate")
                stop = gr.Button(t("text.stop"), variant="stop")
        with gr.Column(scale=2):
            images = gr.Gallery(label=t("image.gallery"), columns=6, height="auto", format="png",
                                buttons=["download", "fullscreen"], elem_id="image-gallery")
            seed_used = seed_used_box()
            card, card_file = run_card_panel()
    event = go.click(generate_image, [model, count, seed, label, steps, scheduler, guidance, truncation],
                     [images, card, card_file, seed_used], api_name="generate_image",
                     concurrency_id="image_models", concurrency_limit=2)
    stop.click(None, cancels=[event])
    wire_seed_buttons(seed, randomize, reuse, seed_used)
    model.change(lambda m: (gr.update(visible=m == "diffusion"), gr.update(visible=m != "diffusion")),
                 model, [diffusion_box, truncation], api_visibility="undocumented", queue=False)
    build_batched_endpoint(models)
    if session_models is not None:
        build_session_generate(session_models, [count, seed, label, truncation], [images, card, card_file, seed_used])


def build_session_generate(session_models: gr.State, settings: list, outputs: list) -> None:
    """Generate with a model this session trained or compressed in the Model Lab (UI only: it lives in the
    browser session), into the same gallery and run card."""
    with gr.Accordion(t("image.session_heading"), open=False):
        with gr.Row():
            picker = session_picker(session_models, SESSION_FAMILIES, t("image.session_model"))
            go = gr.Button(t("image.session_generate"), elem_id="image-session-generate")
    go.click(generate_session_image, [session_models, picker, *settings], outputs, api_visibility="private",
             concurrency_id="image_models")


SESSION_FAMILIES = ("dcgan", "vae", "stylegan")


@friendly_errors
def generate_session_image(session_models: dict, choice: str, num_images: int = 16, seed: int = -1,
                           label: str = RANDOM_LABEL, truncation: float = 1.0):
    entry = session_entry(session_models, choice, SESSION_FAMILIES)
    class_label, count = read_label(label), int(clamp(num_images, 1, MAX_IMAGES, int))
    seed, truncation = resolve_seed(seed), clamp(truncation, 0.05, 2.0)
    labels = [class_label] * count
    pipeline = wrap(entry["name"], entry["model"])
    start = time.perf_counter()
    images = pipeline(labels, torch_generator(seed), truncation=truncation)
    seconds = time.perf_counter() - start
    card = run_card("image", session_label(entry), "this browser session (Model Lab)", seed,
                    {"num_images": count, "label": label, "truncation": truncation},
                    describe(pick_device(), pipeline.dtype), seconds=round(seconds, 2))
    captions = [CLASS_NAMES[c] for c in drawn_labels(labels, seed)]
    return gallery(images, captions), card, write_run_card(card), seed


def build_batched_endpoint(models: list[str]) -> None:
    """/generate_image_batched: API only (hidden inputs), for scripts sending many one-image requests."""
    with gr.Row(visible=False):
        model = gr.Dropdown(models, value=models[0])
        seed = gr.Number(value=0, precision=0, minimum=0, maximum=2**32 - 1)
        label = gr.Dropdown([RANDOM_LABEL, *CLASS_NAMES], value=RANDOM_LABEL)
        image = gr.Image(type="pil", format="png")
        trigger = gr.Button()
    trigger.click(generate_image_batched, [model, seed, label], image, api_name="generate_image_batched",
                  batch=True, max_batch_size=BATCH_SIZE, concurrency_id="image_models")


def build_explorer_panel(models: list[str]) -> None:
    default = "stylegan" if "stylegan" in models else models[0]
    with gr.Row():
        model = gr.Dropdown(models, value=default, label=t("image.model"), elem_id="explorer-model")
        label = gr.Dropdown([RANDOM_LABEL, *CLASS_NAMES], value=RANDOM_LABEL, label=t("image.label"),
                            elem_id="explorer-label")
        seed_a = gr.Number(value=1, precision=0, minimum=0, label=t("image.seed_a"), elem_id="explorer-seed-a")
        seed_b = gr.Number(value=2, precision=0, minimum=0, label=t("image.seed_b"), elem_id="explorer-seed-b")
        steps = gr.Slider(2, 64, value=10, step=1, label=t("image.interpolation_steps"))
        truncation = gr.Slider(0.05, 2, value=1.0, step=0.05, label=t("image.truncation"))
    with gr.Row():
        go = gr.Button(t("image.interpolate"), variant="primary", elem_id="image-interpolate")
        stop = gr.Button(t("text.stop"), variant="stop")
    strip = gr.Gallery(label=t("image.strip"), columns=10, height=170, format="png", elem_id="image-strip")
    with gr.Row():
        gif = gr.Image(label=t("image.gif"), type="filepath", format="gif", height=160)
        card_file = gr.File(label=t("common.download_card"), interactive=False)
    event = go.click(interpolate_latents, [model, seed_a, seed_b, steps, label, truncation], [strip, gif, card_file],
                     api_name="interpolate_latents", concurrency_id="image_models", concurrency_limit=2)
    stop.click(None, cancels=[event])
    if "stylegan" in models:
        build_style_mix_panel()
    if "vae" in models:
        build_vae_panel()


def build_style_mix_panel() -> None:
    gr.Markdown(t("image.mix_heading"))
    with gr.Row():
        rows = gr.Textbox(value="1, 2, 3", label=t("image.mix_rows"))
        columns = gr.Textbox(value="4, 5, 6, 7", label=t("image.mix_columns"))
        label = gr.Dropdown([RANDOM_LABEL, *CLASS_NAMES], value="Ankle boot", label=t("image.label"))
        crossover = gr.Radio(list(CROSSOVERS), value="coarse", label=t("image.mix_crossover"))
        truncation = gr.Slider(0.05, 2, value=0.8, step=0.05, label=t("image.truncation"))
    go = gr.Button(t("image.mix"), elem_id="image-mix")
    grid = gr.Gallery(label=t("image.mix_grid"), columns=5, height=640, format="png", elem_id="image-mix-grid")
    go.click(style_mix, [rows, columns, label, crossover, truncation], grid, api_name="style_mix",
             concurrency_id="image_models")
    columns.change(grid_columns, columns, grid, api_visibility="undocumented", queue=False)


def grid_columns(column_seeds: str):
    """One gallery column per column seed, plus the row-source column (left as is while the text is invalid)."""
    try:
        return gr.update(columns=len(read_seed_list(column_seeds)) + 1)
    except UserInputError:
        return gr.skip()


def build_vae_panel() -> None:
    gr.Markdown(t("image.vae_heading"))
    with gr.Row():
        with gr.Column():
            # A File, not an Image: we open uploads ourselves so a broken or fake picture gets our
            # one-sentence message instead of failing inside Gradio's image preprocessing.
            upload = gr.File(label=t("image.upload"), file_types=["image"], type="filepath", height=120)
            upload_label = gr.Dropdown(CLASS_NAMES, value=CLASS_NAMES[0], label=t("image.label"))
            go = gr.Button(t("image.reconstruct"))
        prepared = gr.Image(label=t("image.prepared"), height=220, interactive=False)
        rebuilt = gr.Image(label=t("image.reconstruction"), height=220, interactive=False)
    go.click(reconstruct_image, [upload, upload_label], [prepared, rebuilt], api_name="reconstruct_image",
             concurrency_id="image_models")
    with gr.Row():
        map_label = gr.Dropdown(CLASS_NAMES, value="Sneaker", label=t("image.label"))
        size = gr.Slider(2, 16, value=9, step=1, label=t("image.map_size"))
        draw = gr.Button(t("image.draw_map"))
    grid = gr.Gallery(label=t("image.latent_map"), columns=9, height="auto", format="png", elem_id="vae-map")
    draw.click(vae_latent_map, [map_label, size], grid, api_name="vae_latent_map", concurrency_id="image_models")
    size.change(lambda n: gr.update(columns=int(n)), size, grid, api_visibility="undocumented", queue=False)


def build_image_tab(session_models: gr.State | None = None) -> None:
    """`session_models`: this browser session's models from the Model Lab, offered beside the bundled ones."""
    models = available_image_models()
    damaged_models_note(damaged_image_models())
    if not models:
        gr.Markdown(t("pending.image"))
        return
    with gr.Tabs(elem_id="image-tabs"):
        with gr.Tab(t("mm.t2i_tab"), id="image-t2i-tab"):
            build_text_to_image_panel(None, "t2i")
        with gr.Tab(t("image.generate_tab"), id="image-generate-tab"):
            build_generate_panel(models, session_models)
        with gr.Tab(t("image.explorer_tab"), id="image-explorer-tab"):
            build_explorer_panel(models)
    with gr.Accordion(t("how"), open=False):
        damaged = damaged_image_models()
        missing = [m for m in IMAGE_MODELS if m not in models and m not in damaged]
        gr.Markdown(how_it_works(models + ["fashion-judge"], bilingual_note("how.damaged", damaged),
                                 bilingual_note("how.missing", missing)))

