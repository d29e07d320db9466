"""Models the Model Lab makes in a browser session are offered, and run, in the Text and Image tabs."""
import pytest
import torch

from aigc_demo.errors import UserInputError
from aigc_demo.ui.session import add_session_model, session_choices, session_entry, session_label


def dcgan_entry(variant: str = "trained here, 8 steps") -> dict:
    from aigc_demo.models.dcgan import DCGANGenerator

    torch.manual_seed(0)  # test set-up, not a request path
    return {"name": "dcgan", "variant": variant, "model": DCGANGenerator(latent_dim=8, base_channels=8).eval(),
            "subject": None}


def test_the_session_registry_keeps_each_model_under_its_label():
    first, second = dcgan_entry(), dcgan_entry("int8-dynamic 0.5")
    models = add_session_model(add_session_model({}, first), second)
    assert list(models) == ["dcgan (trained here, 8 steps)", "dcgan (int8-dynamic 0.5)"]
    assert add_session_model(models, None) == models  # the Lab's empty state adds nothing
    assert session_choices(models, ("dcgan",)) == list(models) and session_choices(models, ("gpt2-austen",)) == []
    assert session_entry(models, session_label(second), ("dcgan",)) is second
    with pytest.raises(UserInputError, match="Model Lab first"):
        session_entry(models, "dcgan (something else)", ("dcgan",))
    with pytest.raises(UserInputError, match="Model Lab first"):
        session_entry(models, session_label(first), ("gpt2-austen",))  # an image model is not offered for text


def test_the_image_tab_generates_with_a_session_model_reproducibly():
    from aigc_demo.ui.image import generate_session_image

    entry = dcgan_entry()
    models = add_session_model({}, entry)
    images, card, card_file, seed = generate_session_image(models, session_label(entry), 4, 9, "Bag", 1.0)
    again = generate_session_image(models, session_label(entry), 4, 9, "Bag", 1.0)[0]
    assert len(images) == 4 and seed == 9 and images[0][1] == "Bag"
    assert card["model"] == "dcgan (trained here, 8 steps)" and card["checkpoint"].startswith("this browser session")
    assert all(a[0].tobytes() == b[0].tobytes() for a, b in zip(images, again))
    with pytest.raises(Exception, match="Model Lab first"):
        generate_session_image({}, None, 4, 9, "Bag", 1.0)


def test_the_text_tab_generates_with_a_compressed_gpt2(tiny_checkpoints):
    from aigc_demo.lab import compress as compression
    from aigc_demo.ui.text import generate_session_text

    subject = compression.load_subject("gpt2-austen")
    model, _ = compression.compress_model(subject.model, "int8-dynamic", 0.5)
    entry = {"name": "gpt2-austen", "variant": "int8-dynamic 0.5", "model": model, "subject": subject}
    models = add_session_model({}, entry)
    *_, (text, speed, card, card_file, seed) = generate_session_text(
        models, session_label(entry), "It is a truth", max_new_tokens=8, temperature=0.0, seed=3)
    assert text and "tokens/s" in speed and card["model"] == "gpt2-austen (int8-dynamic 0.5)" and seed == 3
    greedy_again = list(generate_session_text(models, session_label(entry), "It is a truth", max_new_tokens=8,
                                              temperature=0.0, seed=4))[-1][0]
    assert greedy_again == text  # temperature 0: the same text whatever the seed
