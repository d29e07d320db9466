"""The Multimodal tab: text to image, image to text, answers from retrieved passages, and stories
(text, pictures, narration and music, step by step)."""
from __future__ import annotations

import time

import gradio as gr

from aigc_demo.device import describe, pick_device, pick_dtype
from aigc_demo.errors import UserInputError, require_words
from aigc_demo.i18n import t
from aigc_demo.images import as_fashion_mnist, open_user_image
from aigc_demo.pipelines.multimodal import describe_image as describe_picture
from aigc_demo.pipelines.multimodal import text_to_image_settings, text_to_images
from aigc_demo.models.language import default_model
from aigc_demo.pipelines.replies import answer_messages, find_passages
from aigc_demo.pipelines.text import GenerationSettings, stream_text
from aigc_demo.pipelines.story import FROM_TEXT, MAX_PARAGRAPHS, tell_story
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.seeding import resolve_seed
from aigc_demo.errors import clean_text
from aigc_demo.ui.common import (clamp, examples_table, friendly_errors, how_it_works, run_card_panel, seed_controls,
                                 seed_used_box, wire_seed_buttons)
from aigc_demo.ui.image import gallery
from aigc_demo.ui.text_to_image import build_batched_endpoint, build_text_to_image_panel

MAX_IMAGES = 16
MAX_STORY_PROMPT = 500
MOTIFS = ["dragon", "cat face", "rocket", "sun", "red apple"]
STAGE_NAMES = {"text": "writing (the text model)", "pictures": "illustrating (emoji-sd)", "narration": "narrating (TTS)",
               "music": "composing the music bed", "video": "assembling the MP4"}
REPLY_EXAMPLES = ["What do people say about Mr. Darcy?", "Shall we walk to the village this afternoon?",
                  "Is it going to rain?", "Who is the handsomest man in the neighbourhood?"]
REPLY_SOURCES = ("austen", "pasted")


def understood_markdown(match) -> str:
    runners = ", ".join(f"{name} {score:.2f}" for name, score in match.ranking[1:4])
    return (f"**{match.name}**: similarity {match.score:.2f} to \u201c{match.description}\u201d "
            f"(next: {runners})")


def garment_text_to_image(prompt: str, num_images: int = 4, seed: int = -1):
    """Draw the garment a free-text prompt describes (the Fashion-MNIST mapping, one of /text_to_image's models).
    Returns the gallery, what was understood, the run card and the seed."""
    count = int(clamp(num_images, 1, MAX_IMAGES, int))
    seed = resolve_seed(seed)
    start = time.perf_counter()
    images, match = text_to_images(clean_text(prompt), count, seed)
    settings = text_to_image_settings()
    card = run_card("text_to_image", settings["generator"], f"checkpoints/{settings['generator']}", seed,
                    {"prompt": clean_text(prompt)[:1000], "num_images": count, "class": match.name,
                     "similarity": round(match.score, 3), "encoder": settings["encoder"],
                     "truncation": settings["truncation"]},
                    describe(pick_device(), pick_dtype(pick_device())), seconds=round(time.perf_counter() - start, 2))
    return gallery(images, [match.name] * count), understood_markdown(match), card, write_run_card(card), seed


STORY_EXAMPLES = [["Once upon a time, a little girl named Lily found a dragon egg in the garden.", 1, 3],
                  ["Emma wore her best dress to the ball at Netherfield.", 2, 2],
                  ["The rocket lifted off at dawn, and the cat on board looked out at the sun.", 3, 3]]


@friendly_errors
def story(prompt: str, seed: int = -1, paragraphs: int = 3, motif: str = FROM_TEXT, progress=gr.Progress()):
    """A short illustrated, narrated story with a music bed. Streams the text and pictures as they come; returns
    the text, the pictures, the audio (narration over music), the MP4 and the run card."""
    text = require_words(clean_text(prompt), "Write the opening of a story first, for example 'Emma wore her best "
                         "dress to the ball.'.", MAX_STORY_PROMPT)
    count = int(clamp(paragraphs, 0, 1000, int))
    if count > MAX_PARAGRAPHS:
        gr.Warning(f"Stories here have at most {MAX_PARAGRAPHS} paragraphs; telling {MAX_PARAGRAPHS}.")
    seed = resolve_seed(seed)
    motif = clean_text(motif).strip()[:200] or FROM_TEXT
    start = time.perf_counter()
    for event in tell_story(text, count, seed, motif):
        kind, payload = event[0], event[1:]
        if kind == "text":
            yield payload[0], gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), seed
        elif kind == "images":
            yield gr.skip(), gallery(*map(list, zip(*payload[0]))), gr.skip(), gr.skip(), gr.skip(), gr.skip(), seed
        elif kind == "stage":
            progress(payload[1], desc=STAGE_NAMES[payload[0]])
        else:
            told = payload[0]
            card = run_card("story", f"{default_model()} + emoji-sd + tts + music-bach", "checkpoints/", seed,
                            {"prompt": text, "paragraphs": len(told.paragraphs), "motif": motif,
                             "pictures": [p.concept for p in told.paragraphs]},
                            describe(pick_device(), pick_dtype(pick_device())),
                            seconds=round(time.perf_counter() - start, 2), stage_seconds=told.seconds,
                            audio_seconds=round(len(told.audio) / told.sample_rate, 2))
            pictures = gallery([p.image for p in told.paragraphs], [f"{p.concept}: {p.reason}" for p in told.paragraphs])
            yield (told.text, pictures, told.audio_path, told.video_path, card, write_run_card(card),
                   seed)


@friendly_errors
def describe_image(image):
    """Say what the models here recognise in a picture. Returns the sentence, the class probabilities, the 28x28 view."""
    picture = open_user_image(image)
    description = describe_picture(picture)
    view = as_fashion_mnist(picture)
    from PIL import Image

    enlarged = Image.fromarray(view).resize((view.shape[1] * 8, view.shape[0] * 8), Image.NEAREST)
    return description.sentence, dict(description.probabilities), enlarged


@friendly_errors
def say_aloud(sentence: str):
    """The description spoken by the Audio tab's default voice."""
    from aigc_demo.pipelines.speech import TextToSpeechPipeline, default_voice

    if not clean_text(sentence).strip():
        raise gr.Error("Describe a picture first; then it can be read aloud.")
    audio, rate, _ = TextToSpeechPipeline()(clean_text(sentence), default_voice(), 1.0)
    return rate, audio


@friendly_errors
def reply(message: str, source: str = "austen", pasted_text: str = "", seed: int = 0):
    """Answer a message from passages: the MiniLM encoder finds the closest ones (Austen's dialogue lines, or
    `pasted_text` when `source` is "pasted"), then the instruct model answers from them. Streams the answer and
    the passages (similarity, passage, source)."""
    if source not in REPLY_SOURCES:
        raise UserInputError(f"Choose the passages from {', '.join(REPLY_SOURCES)}; {str(source)[:40]!r} is not one.")
    passages = find_passages(clean_text(message), clean_text(pasted_text) if source == "pasted" else None)
    table = [[p.score, p.text, p.source] for p in passages]
    yield "", table
    settings = GenerationSettings(max_new_tokens=160, temperature=0.3)
    for chunk, _ in stream_text(default_model(), answer_messages(clean_text(message), passages), settings,
                                resolve_seed(seed), gr.Warning):
        yield chunk.text, table


def build_story() -> gr.Gallery:
    with gr.Row():
        with gr.Column():
            prompt = gr.Textbox(label=t("mm.story_prompt"), lines=2, max_length=100_000,
                                placeholder=STORY_EXAMPLES[0][0])
            paragraphs = gr.Slider(1, MAX_PARAGRAPHS, value=3, step=1, label=t("mm.paragraphs"))
            motif = gr.Dropdown([FROM_TEXT] + MOTIFS, value=FROM_TEXT, label=t("mm.motif"), allow_custom_value=True)
            seed, randomize, reuse = seed_controls()
            with gr.Row():
                go = gr.Button(t("mm.tell"), variant="primary", elem_id="mm-tell")
                stop = gr.Button(t("text.stop"))
            examples_table(STORY_EXAMPLES, [prompt, seed, paragraphs], ["opening", "seed", "paragraphs"])
        with gr.Column():
            text = gr.Textbox(label=t("mm.story_text"), lines=8, elem_id="mm-story-text")
            pictures = gr.Gallery(label=t("mm.pictures"), columns=5, height=220, type="filepath",
                                  elem_id="mm-story-pictures")
            with gr.Row():
                gr.Button(t("mm.send_speech"), size="sm", elem_id="mm-story-send-speech")
                gr.Button(t("mm.send_explorer"), size="sm", elem_id="mm-story-send-explorer")
            audio = gr.Audio(label=t("mm.narration"), elem_id="mm-story-audio")
            video = gr.Video(label=t("mm.video"), elem_id="mm-story-video")
            seed_used = seed_used_box()
            seed_used.elem_id = "mm-story-seed"
            card, card_file = run_card_panel()
    wire_seed_buttons(seed, randomize, reuse, seed_used)
    event = go.click(story, [prompt, seed, paragraphs, motif], [text, pictures, audio, video, card, card_file, seed_used],
                     api_name="story", concurrency_id="story", concurrency_limit=1)
    stop.click(None, cancels=[event])
    return pictures


def build_describe() -> None:
    with gr.Row():
        with gr.Column():
            # A File, not an Image: we open uploads ourselves so a broken picture gets a one-sentence message.
            upload = gr.File(label=t("mm.describe_image"), file_types=["image"], type="filepath")
            go = gr.Button(t("mm.describe"), variant="primary", elem_id="mm-describe")
        with gr.Column():
            sentence = gr.Textbox(label=t("mm.description"), elem_id="mm-description")
            probabilities = gr.Label(label=t("mm.probabilities"), num_top_classes=4)
            seen = gr.Image(label=t("mm.as_seen"), height=224)
            speak = gr.Button(t("mm.say_aloud"), size="sm")
            spoken = gr.Audio(label=t("mm.spoken"))
    go.click(describe_image, upload, [sentence, probabilities, seen], api_name="describe_image")
    speak.click(say_aloud, sentence, spoken, api_name="say_description")


def build_replies() -> None:
    gr.Markdown(t("rag.intro"))
    with gr.Row():
        with gr.Column():
            message = gr.Textbox(label=t("rag.question"), placeholder=t("rag.question_placeholder"),
                                 max_length=100_000, elem_id="mm-question")
            source = gr.Radio([(t("rag.source_austen"), "austen"), (t("rag.source_pasted"), "pasted")],
                              value="austen", label=t("rag.source"))
            pasted = gr.Textbox(value="", label=t("rag.pasted"), lines=5, max_length=100_000)
            with gr.Row():
                go = gr.Button(t("rag.ask"), variant="primary", elem_id="mm-reply")
                stop = gr.Button(t("text.stop"))
            gr.Examples([[m] for m in REPLY_EXAMPLES], [message])
        with gr.Column():
            best = gr.Textbox(label=t("rag.answer"), lines=6, elem_id="mm-best-reply")
            passages = gr.Dataframe(headers=["similarity", "passage", "source"], label=t("rag.passages"),
                                    wrap=True, interactive=False)
    event = gr.on([go.click, message.submit], reply, [message, source, pasted], [best, passages], api_name="reply",
                  concurrency_id="language_models", concurrency_limit=2)
    stop.click(None, cancels=[event])


def build_multimodal_tab() -> dict:
    """Build the tab; returns components other tabs' "send to" buttons use."""
    with gr.Tabs(elem_id="mm-tabs"):
        with gr.Tab(t("mm.t2i_tab"), id="mm-t2i"):
            images = build_text_to_image_panel("text_to_image", "mm")
            build_batched_endpoint()
        with gr.Tab(t("mm.story_tab"), id="mm-story"):
            build_story()
        with gr.Tab(t("mm.describe_tab"), id="mm-describe"):
            build_describe()
        with gr.Tab(t("rag.tab"), id="mm-reply"):
            build_replies()
    with gr.Accordion(t("how"), open=False):
        gr.Markdown(how_it_works(["emoji-sd", "stylegan", "fashion-judge", "smollm2-135m-instruct"], "how.multimodal"))
    return {"images": images}
