"""Errors a user can act on. Pipelines raise these; the UI shows their message as one sentence."""


class UserInputError(ValueError):
    """The request itself is wrong (empty prompt, bad model id): say what to do, in one sentence."""


class ModelUnavailableError(RuntimeError):
    """A model can't be loaded here (not installed, hub unreachable, corrupt checkpoint)."""


def clean_text(text: str | None) -> str:
    """Text as it can safely go into a tokenizer: lone surrogates (invalid UTF-8 from a client) replaced."""
    return (text or "").encode("utf-8", errors="replace").decode("utf-8")


def require_words(text: str | None, ask: str, max_chars: int) -> str:
    """`text` with whitespace squeezed and cut to `max_chars`, or a UserInputError saying `ask` when it holds no
    letter or digit at all (empty, spaces, emoji or punctuation only)."""
    squeezed = " ".join((text or "").split())
    if not any(character.isalnum() for character in squeezed):
        raise UserInputError(ask)
    return squeezed[:max_chars]
