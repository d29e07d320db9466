"""Models made in this browser session (the Model Lab's trained and compressed models), offered in their tabs.

One gr.State, created by build_demo and handed to every tab that shares it, holds {label: entry}; an entry is
{"name": the family or checkpoint it came from, "variant": how it was made, "model": the module, "subject":
what the text pipeline needs (tokenizer, context) or None}. It lives in the browser session only: nothing is
written to disk, and other users never see it.
"""
from __future__ import annotations

import gradio as gr

from aigc_demo.errors import UserInputError


def session_label(entry: dict) -> str:
    return f"{entry['name']} ({entry['variant']})"


def add_session_model(models: dict | None, entry: dict | None) -> dict:
    """The session's models plus `entry` (the newest made under a label replaces the older one)."""
    models = dict(models or {})
    if entry:
        models[session_label(entry)] = entry
    return models


def session_choices(models: dict | None, names: tuple[str, ...]) -> list[str]:
    return [label for label, entry in (models or {}).items() if entry["name"] in names]


def session_entry(models: dict | None, label: str | None, names: tuple[str, ...]) -> dict:
    """The entry under `label`; with no label picked, the newest of the given families."""
    choices = session_choices(models, names)
    entry = (models or {}).get(label or (choices[-1] if choices else ""))
    if entry is None or entry["name"] not in names:
        raise UserInputError("This session has no such model yet: train or compress one in the Model Lab first.")
    return entry


def session_picker(session_models: gr.State, names: tuple[str, ...], label: str) -> gr.Dropdown:
    """A dropdown of this session's models of the given families; its choices are read when it is opened
    (a State's change events don't reach other tabs' components reliably, so the picker asks)."""
    picker = gr.Dropdown([], value=None, label=label, allow_custom_value=False)

    def refresh(models: dict | None, current: str | None):
        choices = session_choices(models, names)
        return gr.update(choices=choices, value=current if current in choices else (choices[-1] if choices else None))

    picker.focus(refresh, [session_models, picker], picker, api_visibility="private", queue=False)
    return picker
