"""The Model Lab tab: every checkpoint's measured figures (and a quick re-measure), and model compression
measured before and after, with the compressed model kept for this browser session to try."""
from __future__ import annotations

import time

import gradio as gr
import pandas as pd

from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.lab import compress as compression
from aigc_demo.lab.dashboard import DASHBOARD_COLUMNS, REMEASURE_COLUMNS, checkpoint_names, dashboard_rows, remeasure
from aigc_demo.errors import clean_text
from aigc_demo.ui.common import clamp, friendly_errors
from aigc_demo.ui.session import add_session_model

TRY_PROMPT = "It is a truth universally acknowledged, that"
TRY_TOKENS = 60
REFRESH_SECONDS = 0.5  # live training redraws the plot at most this often; every step would flood the browser


def dashboard_table() -> pd.DataFrame:
    return pd.DataFrame(dashboard_rows(), columns=DASHBOARD_COLUMNS)


@friendly_errors
def remeasure_model(model: str):
    """Run the quick eval on one bundled checkpoint; its card figures beside the new ones and the difference."""
    start = time.perf_counter()
    rows = remeasure(model)
    note = (f"Re-measured **{model}** with the quick evaluation in {time.perf_counter() - start:.1f} s "
            f"(`python -m aigc_demo.eval checkpoints/{model} --quick`). The card comes from the full evaluation, "
            "so part of each difference is the smaller subset.")
    return pd.DataFrame(rows, columns=REMEASURE_COLUMNS), note


def summary_line(columns: list[str], before: list, after: list) -> str:
    """'size 27.6 -> 15.6 MB, ...' for every numeric column of the table."""
    parts = [f"{name} {b} → {a}" for name, b, a in zip(columns[1:], before[1:], after[1:])
             if isinstance(b, (int, float)) and isinstance(a, (int, float))]
    return "Measured on this machine just now: " + "; ".join(parts) + "."


@friendly_errors
def compress(model: str = "gpt2-austen", method: str = "int8-dynamic", amount: float = 0.5):
    """Compress a bundled model and measure size on disk, latency and quality before and after."""
    amount = clamp(amount, 0.0, compression.MAX_AMOUNT)
    result = compression.compress(model, method, amount)
    table = pd.DataFrame(result.rows, columns=result.columns)
    session_model = {"name": model, "variant": result.rows[1][0], "model": result.model, "subject": result.subject}
    return table, summary_line(result.columns, *result.rows), session_model


def run_session_model(session_model: dict | None, prompt: str, seed: int, missing: str):
    """Run a model this session made: text for GPT-2, one image per class for an image generator."""
    if not session_model:
        raise UserInputError(missing)
    seed = int(clamp(seed, 0, 2**31 - 1, int))
    import torch

    subject, model = session_model["subject"], session_model["model"]
    caption = f"{session_model['name']}, {session_model['variant']}, seed {seed}"
    if session_model["name"] == "gpt2-austen":
        from aigc_demo.pipelines.text import GenerationSettings, TextGenerationPipeline

        prompt = clean_text(prompt)[-2000:] or TRY_PROMPT
        pipeline = TextGenerationPipeline(model, subject.tokenizer, subject.context, caption)
        chunk = pipeline(prompt, GenerationSettings(max_new_tokens=TRY_TOKENS), torch.Generator().manual_seed(seed))
        return prompt + chunk.text, [], caption
    from aigc_demo.data.fashion_mnist import CLASS_NAMES
    from aigc_demo.pipelines.image import wrap

    images = wrap(session_model["name"], model)(list(range(10)), torch.Generator().manual_seed(seed))
    return "", [(image, name) for image, name in zip(images, CLASS_NAMES)], caption


@friendly_errors
def try_compressed(session_model: dict | None, prompt: str = TRY_PROMPT, seed: int = 0):
    return run_session_model(session_model, prompt, seed, "Compress a model first: this session has no compressed model yet.")


@friendly_errors
def try_trained(session_model: dict | None, seed: int = 0):
    _, gallery, caption = run_session_model(session_model, "", seed,
                                            "Train a model first: this session has no trained model yet.")
    return gallery, caption


def loss_frame(losses: list[dict]):
    # Nothing until the first step: once the browser's plot has drawn an empty frame, it draws no lines
    # for the frames that follow (seen with gradio 6.31).
    if not losses:
        return gr.skip()
    return pd.DataFrame(losses, columns=["step", "series", "loss"]).astype({"step": "int64", "loss": "float64"})


def progress_line(snapshot) -> str:
    eta = "" if snapshot.done else f" · ETA {snapshot.eta_seconds:.0f} s" if snapshot.step else ""
    line = (f"Step {snapshot.step} of {snapshot.total} · {snapshot.steps_per_second:.1f} steps/s{eta}")
    if snapshot.done:
        line += " · stopped early" if snapshot.stopped else " · finished"
        line += "; try the model below (kept for this browser session)."
    return line


def grid_image(grid):
    from PIL import Image

    if grid is None:
        return gr.skip()
    return Image.fromarray(grid).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.NEAREST)


@friendly_errors
def train_live(family: str, steps: int, gradient_penalty: bool, lr_schedule: str, batch_norm: bool,
               request: gr.Request):
    """Train in the background and stream its losses, sample grid and speed; ends with the trained model."""
    from aigc_demo.lab.data import fashion_mnist_root
    from aigc_demo.lab.training import MAX_STEPS, LiveSettings, start_training

    settings = LiveSettings(family=family, steps=int(clamp(steps, 1, MAX_STEPS, int)), gradient_penalty=bool(gradient_penalty),
                            lr_schedule=lr_schedule, batch_norm=bool(batch_norm))
    run = start_training(settings, fashion_mnist_root("train"), owner=request.session_hash or "")
    try:
        snapshot = run.wait(0)
        while not snapshot.done:
            yield loss_frame(snapshot.losses), grid_image(snapshot.grid), progress_line(snapshot), gr.skip()
            time.sleep(REFRESH_SECONDS)
            snapshot = run.wait(0)
    finally:
        run.stop()  # the browser left or the event was cancelled: free the trainer
    if snapshot.error:
        raise gr.Error(snapshot.error)
    trained = {"name": family, "variant": f"trained here, {snapshot.step} steps", "model": snapshot.model,
               "subject": None}
    yield loss_frame(snapshot.losses), grid_image(snapshot.grid), progress_line(snapshot), trained


def stop_live(request: gr.Request) -> None:
    from aigc_demo.lab.training import stop_training

    stop_training(request.session_hash or "")


def trainer_line() -> str:
    from aigc_demo.lab.training import trainer_status

    return trainer_status() + "."


def build_dashboard_panel() -> None:
    gr.Markdown(t("lab.dashboard_intro"))
    dashboard = gr.Dataframe(label=t("lab.dashboard_table"), interactive=False, wrap=True)
    # Filled on every page load (cards can change while the server runs); an internal event, not an API.
    gr.on(None, dashboard_table, None, dashboard, api_visibility="undocumented", queue=False)
    names = checkpoint_names()
    with gr.Row():
        model = gr.Dropdown(names, value=names[0] if names else None, label=t("lab.model"), scale=3)
        go = gr.Button(t("lab.remeasure"), variant="primary", scale=1)
    table = gr.Dataframe(headers=REMEASURE_COLUMNS, label=t("lab.remeasure_table"), interactive=False)
    note = gr.Markdown()
    go.click(remeasure_model, [model], [table, note], api_name="remeasure", api_visibility="undocumented",
             concurrency_id="lab_measure", concurrency_limit=1)


def build_compress_panel(session_models: gr.State) -> None:
    gr.Markdown(t("lab.compress_intro"))
    with gr.Row():
        model = gr.Dropdown(list(compression.MODELS), value="gpt2-austen", label=t("lab.model"))
        method = gr.Dropdown(list(compression.METHODS), value="int8-dynamic", label=t("lab.method"))
        amount = gr.Slider(0, compression.MAX_AMOUNT, value=0.5, step=0.05, label=t("lab.amount"))
    go = gr.Button(t("lab.compress"), variant="primary")
    table = gr.Dataframe(label=t("lab.compress_table"), interactive=False, wrap=True)
    summary = gr.Markdown()
    session_model = gr.State(None)
    # One measurement at a time per server: latency figures are meaningless while another run shares the CPU.
    go.click(compress, [model, method, amount], [table, summary, session_model], api_name="compress",
             concurrency_id="lab_measure", concurrency_limit=1).then(
        add_session_model, [session_models, session_model], session_models, api_visibility="private", queue=False)
    gr.Markdown(t("lab.try_heading"))
    with gr.Row():
        prompt = gr.Textbox(value=TRY_PROMPT, label=t("lab.prompt"), scale=3)
        seed = gr.Number(value=0, precision=0, minimum=0, label=t("lab.seed"), scale=1)
        run = gr.Button(t("lab.try"), scale=1)
    caption = gr.Markdown()
    text = gr.Textbox(label=t("lab.try_text"), lines=4)
    gallery = gr.Gallery(label=t("lab.try_images"), columns=10, height="auto")
    run.click(try_compressed, [session_model, prompt, seed], [text, gallery, caption], api_name="try_compressed",
              api_visibility="undocumented")


def build_training_panel(session_models: gr.State) -> None:
    from aigc_demo.lab.training import FAMILIES, LR_SCHEDULES, MAX_STEPS

    gr.Markdown(t("lab.train_intro"))
    status = gr.Markdown()
    gr.on(None, trainer_line, None, status, api_visibility="undocumented", queue=False)
    with gr.Row():
        family = gr.Dropdown(list(FAMILIES), value="dcgan", label=t("lab.train_model"))
        steps = gr.Slider(1, MAX_STEPS, value=200, step=1, label=t("lab.train_steps"), elem_id="lab-steps")
        schedule = gr.Dropdown(list(LR_SCHEDULES), value="none", label=t("lab.lr_schedule"))
    with gr.Row():
        penalty = gr.Checkbox(False, label=t("lab.gradient_penalty"))
        batch_norm = gr.Checkbox(True, label=t("lab.batch_norm"))
        go = gr.Button(t("lab.train"), variant="primary", elem_id="lab-train")
        stop = gr.Button(t("text.stop"), variant="stop")
    status = gr.Markdown(elem_id="lab-train-status")
    with gr.Row():
        plot = gr.LinePlot(x="step", y="loss", color="series", label=t("lab.losses"), height=380)
        grid = gr.Image(label=t("lab.samples"), type="pil", height=380)
    trained = gr.State(None)
    go.click(train_live, [family, steps, penalty, schedule, batch_norm], [plot, grid, status, trained],
             api_visibility="private", concurrency_id="lab_train", concurrency_limit=2, show_progress="minimal").then(
        add_session_model, [session_models, trained], session_models, api_visibility="private", queue=False)
    # Stop ends the run after the current step; the loop's last yield still hands over the model.
    stop.click(stop_live, None, None, api_visibility="private", queue=False)
    with gr.Row():
        seed = gr.Number(value=0, precision=0, minimum=0, label=t("lab.seed"), scale=1)
        run = gr.Button(t("lab.try_trained"), scale=2, elem_id="lab-try-trained")
    caption = gr.Markdown()
    gallery = gr.Gallery(label=t("lab.try_images"), columns=10, height="auto", elem_id="lab-trained-gallery")
    run.click(try_trained, [trained, seed], [gallery, caption], api_visibility="private")


def build_lab_tab(session_models: gr.State) -> None:
    """`session_models`: the session's shared models; what the Lab trains or compresses goes there, for the
    Text and Image tabs to offer."""
    with gr.Tabs():
        with gr.Tab(t("lab.train_tab")):
            build_training_panel(session_models)
        with gr.Tab(t("lab.dashboard_tab")):
            build_dashboard_panel()
        with gr.Tab(t("lab.compress_tab")):
            build_compress_panel(session_models)
