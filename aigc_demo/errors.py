"""Errors a user can act on. Pipelines raise these; the UI shows their message as one sentence."""


class UserInputError(ValueError):
    """The request itself is wrong (empty prompt, bad model id): say what to do, in one sentence."""


class ModelUnavailableError(RuntimeError):
    """A model can't be loaded here (not installed, hub unreachable, corrupt checkpoint)."""
