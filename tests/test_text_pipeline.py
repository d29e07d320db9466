"""The text pipeline on a tiny GPT-2 built in the test: correctness against model.generate, seeds, limits."""
import pytest
import torch

from aigc_demo.errors import UserInputError
from aigc_demo.models.gpt2 import GPT2Settings, build_model, train_tokenizer
from aigc_demo.pipelines.text import REPLACEMENT_CHAR, GenerationSettings, TextGenerationPipeline
from tests.conftest import SENTENCES


@pytest.fixture(scope="module")
def pipeline():
    tokenizer = train_tokenizer(SENTENCES * 3, vocab_size=300)
    torch.manual_seed(0)
    model = build_model(GPT2Settings(vocab_size=len(tokenizer), n_positions=64, n_layer=2, n_head=2, n_embd=32)).eval()
    return TextGenerationPipeline(model, tokenizer, context_length=64, name="tiny", checkpoint="test")


def test_greedy_matches_transformers_generate(pipeline):
    prompt = "It is a truth"
    ours = pipeline(prompt, GenerationSettings(max_new_tokens=15, temperature=0, repetition_penalty=1.0),
                    torch.Generator().manual_seed(0))
    ids = pipeline.tokenizer(prompt, return_tensors="pt").input_ids
    reference = pipeline.model.generate(ids, max_new_tokens=15, do_sample=False, pad_token_id=0, eos_token_id=None)
    new_ids = reference[0, ids.shape[1]:].tolist()
    expected = pipeline.tokenizer.decode(new_ids[:new_ids.index(0)] if 0 in new_ids else new_ids)
    assert ours.text == expected.rstrip(REPLACEMENT_CHAR)


def test_same_seed_same_text_other_seed_other_text(pipeline):
    settings = GenerationSettings(max_new_tokens=30, temperature=1.0, top_k=0, top_p=1.0)
    a = pipeline("Emma", settings, torch.Generator().manual_seed(7)).text
    b = pipeline("Emma", settings, torch.Generator().manual_seed(7)).text
    c = pipeline("Emma", settings, torch.Generator().manual_seed(8)).text
    assert a == b and a != c


def test_stream_grows_and_never_ends_in_a_split_character(pipeline):
    chunks = list(pipeline.stream("世界 😀", GenerationSettings(max_new_tokens=25, temperature=1.5),
                                  torch.Generator().manual_seed(1)))
    assert chunks[-1].finished and len(chunks) >= 2
    assert all(not c.text.endswith(REPLACEMENT_CHAR) for c in chunks)
    assert chunks[-1].new_tokens >= chunks[0].new_tokens


def test_long_prompt_is_cut_from_the_left_to_fit_the_context(pipeline):
    ids, truncated, max_new = pipeline.encode_prompt("Emma was here. " * 500, max_new_tokens=20)
    assert truncated and len(ids) + max_new == 64
    assert pipeline.tokenizer.decode(ids).endswith("Emma was here. ")
    result = pipeline("Emma was here. " * 500, GenerationSettings(max_new_tokens=20), torch.Generator().manual_seed(0))
    assert result.prompt_truncated and result.new_tokens <= 20


def test_max_new_tokens_is_capped_by_the_context(pipeline):
    _, _, max_new = pipeline.encode_prompt("Emma", max_new_tokens=10_000)
    assert max_new == 63


@pytest.mark.parametrize("prompt", ["", "   \n\t "])
def test_empty_prompt_is_refused_clearly(pipeline, prompt):
    with pytest.raises(UserInputError, match="prompt"):
        pipeline(prompt, GenerationSettings(), torch.Generator())


def test_stop_ends_generation_between_tokens(pipeline):
    calls = []

    def stop_after_five():
        calls.append(1)
        return len(calls) > 5

    result = list(pipeline.stream("Emma", GenerationSettings(max_new_tokens=50, temperature=1.0),
                                  torch.Generator().manual_seed(0), should_stop=stop_after_five))[-1]
    assert result.finished and result.new_tokens <= 5


def test_sampling_keeps_exactly_the_tokens_transformers_top_k_and_top_p_keep():
    from transformers import RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    from aigc_demo.pipelines.text import sample_next

    torch.manual_seed(0)
    logits, previous = torch.randn(1, 300) * 3, torch.tensor([[5, 9, 9, 42]])
    settings = GenerationSettings(temperature=0.7, top_k=40, top_p=0.8, repetition_penalty=1.3)
    reference = logits.clone()
    for processor in (RepetitionPenaltyLogitsProcessor(1.3), TemperatureLogitsWarper(0.7), TopKLogitsWarper(40),
                      TopPLogitsWarper(0.8)):
        reference = processor(previous, reference)
    allowed = set(torch.nonzero(reference[0] > -float("inf")).flatten().tolist())
    drawn = {sample_next(logits, previous, settings, torch.Generator().manual_seed(seed)) for seed in range(3000)}
    assert drawn <= allowed and len(drawn) >= len(allowed) - 2
    greedy = GenerationSettings(temperature=0, repetition_penalty=1.3)
    assert sample_next(logits, previous, greedy, torch.Generator()) == int(
        RepetitionPenaltyLogitsProcessor(1.3)(previous, logits.clone()).argmax())
