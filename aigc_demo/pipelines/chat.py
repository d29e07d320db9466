"""Chat with an instruct model: a system prompt, the history and a new message become one chat-template prompt.

Generation itself is the Text tab's sampling loop (pipelines/text.stream_text takes the messages), so streaming, Stop, seeds and settings
behave exactly as there. An empty system prompt leaves the model's own default in place (SmolLM2's template adds
one, and without it the model answers worse).
"""
from __future__ import annotations

from aigc_demo.errors import UserInputError, clean_text, require_words

MAX_MESSAGE_CHARS = 20_000
MAX_SYSTEM_CHARS = 4_000
MAX_HISTORY_MESSAGES = 200  # older turns could never fit a 2,048-token context anyway


def message_text(content) -> str:
    """The text of a chat message's content: a string, or Gradio's list of {"type": "text", "text": ...} parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(message_text(part) for part in content if not isinstance(part, (list, tuple)))
    return ""


def read_history(history) -> list[dict]:
    """The last turns of a history as plain {"role", "content"} text messages; anything else is skipped."""
    if not history:
        return []
    if not isinstance(history, (list, tuple)):
        raise UserInputError("The chat history must be a list of {'role', 'content'} messages.")
    messages = []
    for item in list(history)[-MAX_HISTORY_MESSAGES:]:
        if isinstance(item, dict) and item.get("role") in ("user", "assistant"):
            text = clean_text(message_text(item.get("content")))
            if text.strip():
                messages.append({"role": item["role"], "content": text[:MAX_MESSAGE_CHARS]})
    return messages


def check_message(message: str | None) -> str:
    """The message as it can be templated, or a one-sentence reason it can't."""
    message = clean_text(message)
    require_words(message, "Write a message first: the box is empty.", MAX_MESSAGE_CHARS)
    if len(message) > MAX_MESSAGE_CHARS:
        raise UserInputError(f"The message is {len(message):,} characters; keep it under {MAX_MESSAGE_CHARS:,}.")
    return message


def chat_messages(message: str, history, system_prompt: str | None) -> list[dict]:
    """The whole chat to template: an optional system message, the history, then the new user message."""
    message = check_message(message)
    system = clean_text(system_prompt).strip()
    if len(system) > MAX_SYSTEM_CHARS:
        raise UserInputError(f"The system prompt is {len(system):,} characters; keep it under {MAX_SYSTEM_CHARS:,}.")
    head = [{"role": "system", "content": system}] if system else []
    return head + read_history(history) + [{"role": "user", "content": message}]
