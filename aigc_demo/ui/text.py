"""The Text tab: SmolLM2 by default, the GPT-2 trained here, any Hub id; streaming, Stop, chat, compare, run cards."""
from __future__ import annotations

import gradio as gr

from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.models.language import SMOLLM2, TRAINED_HERE, available_models, default_model
from aigc_demo.pipelines.text import GenerationSettings, stream_text
from aigc_demo.runcard import write_run_card
from aigc_demo.seeding import resolve_seed
from aigc_demo.errors import clean_text
from aigc_demo.ui.common import (friendly_errors, how_it_works, run_card_panel, seed_controls,
                                  seed_used_box, wire_seed_buttons)
from aigc_demo.ui.chat import build_chat_panel
from aigc_demo.ui.session import session_entry, session_label, session_picker
from aigc_demo.ui.text_controls import DEFAULTS, card_for, model_dropdown, sampling_controls, speed_line

EXAMPLES = [
    "Once upon a time, a little girl named Lily",
    "Write a short poem about the sea.",
    "Explain in two sentences why the sky is blue.",
    "It is a truth universally acknowledged, that",
]
MAX_PROMPT_CHARS = 200_000
D = DEFAULTS
DEFAULT_MODEL = default_model()  # SmolLM2 where installed; read once so the API documents it as the default


def read_prompt(prompt) -> str:
    prompt = clean_text(prompt)
    if not prompt.strip():
        raise UserInputError("Write a prompt first: the text box is empty.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise UserInputError(f"The prompt is {len(prompt):,} characters; keep it under {MAX_PROMPT_CHARS:,}.")
    return prompt


@friendly_errors
def generate_text(prompt: str, model: str = DEFAULT_MODEL, max_new_tokens: int = D.max_new_tokens,
                  temperature: float = D.temperature, top_k: int = D.top_k, top_p: float = D.top_p,
                  repetition_penalty: float = D.repetition_penalty, seed: int = -1):
    """Continue `prompt` with a language model; streams the text, then the run card. Instruct models (SmolLM2,
    the default) answer the prompt as a one-turn chat under their own template."""
    prompt, settings = read_prompt(prompt), GenerationSettings.clamped(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    seed = resolve_seed(seed)
    chunk = pipeline = None
    for chunk, pipeline in stream_text(model, prompt, settings, seed, warn=gr.Warning):
        if not chunk.finished:
            yield chunk.text, speed_line(chunk, model), gr.skip(), gr.skip(), seed
    card = card_for(chunk, pipeline, seed, settings, prompt)
    yield chunk.text, speed_line(chunk, model), card, write_run_card(card), seed


@friendly_errors
def compare_text(prompt: str, model_a: str = DEFAULT_MODEL, model_b: str = TRAINED_HERE, max_new_tokens: int = D.max_new_tokens,
                 temperature: float = D.temperature, top_k: int = D.top_k, top_p: float = D.top_p,
                 repetition_penalty: float = D.repetition_penalty, seed: int = -1):
    """The same prompt, settings and seed through two models (on any engines), one after the other, with speeds."""
    prompt, settings = read_prompt(prompt), GenerationSettings.clamped(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    seed = resolve_seed(seed)
    texts, speeds, cards = ["", ""], ["", ""], {}
    for side, model in enumerate((model_a, model_b)):
        for chunk, pipeline in stream_text(model, prompt, settings, seed, warn=gr.Warning):
            texts[side], speeds[side] = chunk.text, speed_line(chunk, model)
            yield texts[0], speeds[0], texts[1], speeds[1], seed, gr.skip()
        cards["ab"[side]] = card_for(chunk, pipeline, seed, settings, prompt)
    yield texts[0], speeds[0], texts[1], speeds[1], seed, cards


def build_generate_panel(session_models: gr.State | None = None) -> None:
    with gr.Row():
        with gr.Column(scale=1):
            model = model_dropdown("text.model", available_models(), DEFAULT_MODEL)
            prompt = gr.Textbox(lines=4, label=t("text.prompt"), placeholder=t("text.prompt_placeholder"))
            controls = sampling_controls()
            seed, randomize, reuse = seed_controls()
            with gr.Row():
                go = gr.Button(t("text.generate"), variant="primary", elem_id="text-generate")
                stop = gr.Button(t("text.stop"), variant="stop")
            gr.Examples(EXAMPLES, inputs=[prompt], label=t("text.examples"))
        with gr.Column(scale=1):
            output = gr.Textbox(lines=12, label=t("text.output"), buttons=["copy"], elem_id="text-output")
            gr.Button(t("text.send_speech"), size="sm", elem_id="text-send-speech")  # wired in ui/crosstab.py
            stats = gr.Markdown(elem_id="text-stats")
            seed_used = seed_used_box()
            card, card_file = run_card_panel()
    inputs = [prompt, model, *controls, seed]
    event = gr.on([go.click, prompt.submit], generate_text, inputs, [output, stats, card, card_file, seed_used],
                  api_name="generate_text", concurrency_id="language_models", concurrency_limit=2,
                  show_progress="minimal", show_progress_on=[output])
    stop.click(None, cancels=[event])
    wire_seed_buttons(seed, randomize, reuse, seed_used)
    if session_models is not None:
        build_session_generate(session_models, [prompt, *controls, seed], [output, stats, card, card_file, seed_used],
                               stop)


def build_session_generate(session_models: gr.State, inputs: list, outputs: list, stop: gr.Button) -> None:
    """Generate with a GPT-2 this session compressed in the Model Lab (UI only: it lives in the browser session)."""
    with gr.Accordion(t("text.session_heading"), open=False):
        with gr.Row():
            picker = session_picker(session_models, SESSION_MODELS, t("text.session_model"))
            go = gr.Button(t("text.session_generate"), elem_id="text-session-generate")
    event = go.click(generate_session_text, [session_models, picker, *inputs], outputs, api_visibility="private",
                     concurrency_id="language_models", show_progress="minimal")
    stop.click(None, cancels=[event])


SESSION_MODELS = (TRAINED_HERE,)


@friendly_errors
def generate_session_text(session_models: dict, choice: str, prompt: str, max_new_tokens: int = D.max_new_tokens,
                          temperature: float = D.temperature, top_k: int = D.top_k, top_p: float = D.top_p,
                          repetition_penalty: float = D.repetition_penalty, seed: int = -1):
    """Like generate_text, with the session's compressed model; streams, then adds the run card."""
    from aigc_demo.pipelines.text import TextGenerationPipeline
    from aigc_demo.seeding import torch_generator

    entry = session_entry(session_models, choice, SESSION_MODELS)
    prompt, settings = read_prompt(prompt), GenerationSettings.clamped(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    seed, name = resolve_seed(seed), session_label(entry)
    pipeline = TextGenerationPipeline(entry["model"], entry["subject"].tokenizer, entry["subject"].context, name,
                                      "this browser session (Model Lab)")
    chunk = None
    for chunk in pipeline.stream(prompt, settings, torch_generator(seed)):
        if not chunk.finished:
            yield chunk.text, speed_line(chunk, name), gr.skip(), gr.skip(), seed
    card = card_for(chunk, pipeline, seed, settings, prompt)
    yield chunk.text, speed_line(chunk, name), card, write_run_card(card), seed


def build_compare_panel() -> None:
    with gr.Row():
        models = available_models()
        model_a = model_dropdown("text.model_a", models, DEFAULT_MODEL)
        model_b = model_dropdown("text.model_b", models, TRAINED_HERE)
    prompt = gr.Textbox(lines=3, label=t("text.prompt"), value=EXAMPLES[0])
    controls = sampling_controls()
    seed, randomize, reuse = seed_controls()
    with gr.Row():
        go = gr.Button(t("text.compare"), variant="primary")
        stop = gr.Button(t("text.stop"), variant="stop")
    with gr.Row():
        with gr.Column():
            out_a = gr.Textbox(lines=10, label=t("text.output_a"), elem_id="compare-a")
            stats_a = gr.Markdown()
        with gr.Column():
            out_b = gr.Textbox(lines=10, label=t("text.output_b"), elem_id="compare-b")
            stats_b = gr.Markdown()
    seed_used = seed_used_box()
    with gr.Accordion(t("common.run_card"), open=False):
        cards = gr.JSON(label=t("common.run_card"))
    event = go.click(compare_text, [prompt, model_a, model_b, *controls, seed],
                     [out_a, stats_a, out_b, stats_b, seed_used, cards], api_name="compare_text",
                     concurrency_id="language_models", concurrency_limit=2,
                     show_progress="minimal", show_progress_on=[out_a, out_b])
    stop.click(None, cancels=[event])
    wire_seed_buttons(seed, randomize, reuse, seed_used)


def build_text_tab(session_models: gr.State | None = None) -> None:
    """`session_models`: this browser session's models from the Model Lab, offered beside the bundled ones."""
    with gr.Tabs():
        with gr.Tab(t("text.generate_tab")):
            build_generate_panel(session_models)
        with gr.Tab(t("chat.tab")):
            build_chat_panel()
        with gr.Tab(t("text.compare_tab")):
            build_compare_panel()
    with gr.Accordion(t("how"), open=False):
        gr.Markdown(how_it_works([SMOLLM2, TRAINED_HERE], "how.text"))
