"""What every tab shares: turning errors into one-sentence messages, run-card outputs, 'How it works'."""
from __future__ import annotations

import functools
import hashlib
import inspect
import logging

import gradio as gr

from aigc_demo.checkpoints import model_card
from aigc_demo.device import NonFiniteOutputError
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.i18n import EN, ZH, t
from aigc_demo.seeding import MAX_SEED
from aigc_demo.strings.how import SUMMARY_ZH

log = logging.getLogger("aigc_demo")
GENERIC_FAILURE = "Something went wrong on the server (the details are in its log); try again or change the settings."


def _as_user_error(error: Exception) -> gr.Error:
    if isinstance(error, gr.Error):
        return error
    if isinstance(error, (UserInputError, ModelUnavailableError)):
        return gr.Error(str(error))
    if isinstance(error, NonFiniteOutputError):  # NaN/inf even in float32 (half precision was already retried)
        log.warning("non-finite output: %s", error)
        return gr.Error("The model produced invalid numbers (NaN) for this request; try another seed or settings.")
    if isinstance(error, MemoryError) or "out of memory" in str(error).lower():
        log.exception("out of memory")
        return gr.Error("The server ran out of memory for this request; try fewer tokens or images.")
    log.exception("unexpected error in a request")
    return gr.Error(GENERIC_FAILURE)


def friendly_errors(fn):
    """Wrap an event handler so users see a one-sentence message, never a traceback or a server path.

    Keeps the wrapped signature, so Gradio still derives API parameter names from it.
    """
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as error:
                raise _as_user_error(error) from None
        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            raise _as_user_error(error) from None
    return call


def clamp(value, low, high, cast=float):
    """Clamp API numbers to a slider's range instead of failing; None falls back to `low`."""
    try:
        value = cast(value)
    except (TypeError, ValueError):
        raise UserInputError(f"Expected a number between {low} and {high}, got {str(value)[:40]!r}.") from None
    if value != value:  # NaN
        raise UserInputError(f"Expected a number between {low} and {high}, got NaN.")
    return max(low, min(high, value))


def how_it_works(names: list[str], *extras) -> gr.I18nData:
    """A tab's 'How it works' Markdown in English and Chinese: one line per model from its card's front matter
    (summary, data, license, measured figures), then the tab's own texts. Each extra is a key of
    aigc_demo/strings/how.py, or {"en": ..., "zh": ...} for a note made while building the UI. The cards are read
    now, so the text is registered as a translation key of its own and the browser's locale picks the language."""
    texts = {}
    for language, words in (("en", EN), ("zh", ZH)):
        lines = [model_line(name, language, words) for name in names]
        lines += [extra[language] if isinstance(extra, dict) else words[extra] for extra in extras]
        texts[language] = "\n".join(line for line in lines if line)
    key = "how.built." + hashlib.sha1(texts["en"].encode()).hexdigest()[:12]
    EN[key], ZH[key] = texts["en"], texts["zh"]
    return t(key)


def model_line(name: str, language: str, words: dict[str, str]) -> str:
    front, _ = model_card(name)
    if not front:
        return ""
    summary = front.get("summary", "")
    if language == "zh":
        summary = SUMMARY_ZH.get(name, summary)
    metrics = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in (front.get("metrics") or {}).items())
    return words["how.line"].format(name=name, summary=summary, data=front.get("data", "-"),
                                    license=front.get("license", "?"), metrics=metrics or words["how.not_measured"])


def bilingual_note(key: str, names: list[str]) -> dict[str, str]:
    """A how.py sentence listing `names`, in both languages (empty texts, left out by how_it_works, when none)."""
    return {language: words[key].format(names=", ".join(names)) if names else ""
            for language, words in (("en", EN), ("zh", ZH))}


def seed_controls() -> tuple[gr.Number, gr.Button, gr.Button]:
    """Seed box (-1 = random) with 'random' and 'reuse the seed just used' buttons."""
    with gr.Row():
        seed = gr.Number(value=-1, precision=0, minimum=-1, maximum=MAX_SEED, label=t("common.seed"), scale=3)
        randomize = gr.Button(t("common.randomize"), size="sm", scale=1)
        reuse = gr.Button(t("common.reuse"), size="sm", scale=1)
    return seed, randomize, reuse


def seed_used_box() -> gr.Number:
    return gr.Number(value=None, label=t("common.seed_used"), precision=0, interactive=False)


def wire_seed_buttons(seed: gr.Number, randomize: gr.Button, reuse: gr.Button, seed_used: gr.Number) -> None:
    randomize.click(lambda: -1, None, seed, api_visibility="undocumented", queue=False)
    reuse.click(lambda used: used, seed_used, seed, api_visibility="undocumented", queue=False)


def run_card_panel() -> tuple[gr.JSON, gr.File]:
    """The run card beside an output: shown as JSON and downloadable."""
    with gr.Accordion(t("common.run_card"), open=False):
        card = gr.JSON(label=t("common.run_card"))
        card_file = gr.File(label=t("common.download_card"))
    return card, card_file


def examples_table(rows: list[list], inputs: list, headers: list[str], label=None) -> gr.Examples:
    """gr.Examples with plain column headers: Gradio shows translated (t(...)) component labels raw in the
    examples table's header row, so the headers are given here."""
    shelf = gr.Examples(rows, inputs, label=label)
    shelf.dataset.headers = headers
    return shelf


def damaged_models_note(names: list[str]) -> None:
    """A visible note at the top of a tab naming models switched off because their checkpoint is damaged."""
    if names:
        gr.Markdown(f"**Switched off** (checkpoint damaged or not safetensors): {', '.join(names)}. "
                    "The other models work; restore the files under checkpoints/ to bring them back.",
                    elem_classes=["damaged-models"])
