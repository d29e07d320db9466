"""The Text tab's Chat panel: multi-turn chat with an instruct model under its own chat template (API: /chat)."""
from __future__ import annotations

import gradio as gr

from aigc_demo.i18n import t
from aigc_demo.models.language import chat_models, default_model
from aigc_demo.pipelines.chat import chat_messages, check_message, read_history
from aigc_demo.pipelines.text import GenerationSettings, stream_text
from aigc_demo.runcard import write_run_card
from aigc_demo.seeding import resolve_seed
from aigc_demo.ui.common import friendly_errors, run_card_panel, seed_controls, seed_used_box, wire_seed_buttons
from aigc_demo.ui.text_controls import DEFAULTS as D
from aigc_demo.ui.text_controls import card_for, model_dropdown, sampling_controls, speed_line

DEFAULT_MODEL = default_model()
EXAMPLES = [
    "What is the capital of France?",
    "Give me three tips for a good night's sleep.",
    "Write a four-line poem about autumn.",
    "Explain what a neural network is to a ten-year-old.",
]


@friendly_errors
def chat(message: str, history: list | None = None, system_prompt: str = "", model: str = DEFAULT_MODEL,
         max_new_tokens: int = D.max_new_tokens, temperature: float = D.temperature, top_k: int = D.top_k,
         top_p: float = D.top_p, repetition_penalty: float = D.repetition_penalty, seed: int = -1):
    """Answer `message` after `history` (a list of {"role", "content"} messages) with an instruct model; streams
    the conversation, then its run card. An empty system prompt keeps the model's own default."""
    messages = chat_messages(message, history, system_prompt)
    settings = GenerationSettings.clamped(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    seed = resolve_seed(seed)
    shown = read_history(history) + [{"role": "user", "content": messages[-1]["content"]}]
    chunk = pipeline = None
    for chunk, pipeline in stream_text(model, messages, settings, seed, warn=gr.Warning):
        if not chunk.finished:
            yield shown + [{"role": "assistant", "content": chunk.text}], speed_line(chunk, model), gr.skip(), \
                gr.skip(), seed
    card = card_for(chunk, pipeline, seed, settings, messages, task="chat")
    yield shown + [{"role": "assistant", "content": chunk.text}], speed_line(chunk, model), card, \
        write_run_card(card), seed


@friendly_errors
def take_message(message: str) -> tuple[str, str]:
    """Empty the box at once and hand its text on, so what the user types during a reply is never overwritten; a
    message that can't be sent stays in the box, with the reason."""
    check_message(message)
    return "", message


def build_chat_panel() -> None:
    with gr.Row():
        with gr.Column(scale=1):
            model = model_dropdown("chat.model", chat_models(), DEFAULT_MODEL)
            system = gr.Textbox(lines=3, label=t("chat.system"), placeholder=t("chat.system_placeholder"))
            controls = sampling_controls()
            seed, randomize, reuse = seed_controls()
        with gr.Column(scale=2):
            history = gr.Chatbot(label=t("chat.history"), height=420, elem_id="chat-history", buttons=["copy"])
            message = gr.Textbox(lines=2, label=t("chat.message"), placeholder=t("chat.message_placeholder"),
                                 elem_id="chat-message")
            with gr.Row():
                send = gr.Button(t("chat.send"), variant="primary", elem_id="chat-send")
                stop = gr.Button(t("chat.stop"), variant="stop")
                clear = gr.Button(t("chat.clear"))
            gr.Examples(EXAMPLES, inputs=[message], label=t("chat.examples"))
            stats = gr.Markdown(elem_id="chat-stats")
            seed_used = seed_used_box()
            card, card_file = run_card_panel()
    sent = gr.Textbox(visible=False)
    taken = gr.on([send.click, message.submit], take_message, message, [message, sent], queue=False,
                  api_visibility="undocumented")
    event = taken.then(chat, [sent, history, system, model, *controls, seed], [history, stats, card, card_file, seed_used],
                       api_name="chat", concurrency_id="language_models", concurrency_limit=2, show_progress="minimal",
                       show_progress_on=[history])
    stop.click(None, cancels=[event])
    clear.click(lambda: ([], "", None, None), None, [history, stats, card, card_file], api_visibility="undocumented",
                queue=False)
    wire_seed_buttons(seed, randomize, reuse, seed_used)
