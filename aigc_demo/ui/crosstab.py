"""'Send to' buttons between tabs. Each tab places its buttons and names its components with elem_ids; once every
tab is built, `wire_send_buttons` connects them here, so no tab module needs another tab's components."""
from __future__ import annotations

import gradio as gr



def component(demo: gr.Blocks, elem_id: str):
    """The component with this elem_id, or None (a tab may be missing in a build without its models)."""
    return next((block for block in demo.blocks.values() if getattr(block, "elem_id", None) == elem_id), None)


def first_picture(pictures) -> str:
    """A gallery's first image as a file path (galleries here are type="filepath")."""
    if not pictures:
        raise gr.Error("Make some pictures first, then send one.")
    first = pictures[0]
    return first[0] if isinstance(first, (tuple, list)) else first


def to_style(pictures):
    return first_picture(pictures), gr.Tabs(selected="style")


def file_to_style(path):
    if not path:
        raise gr.Error("Fill a picture first, then send the result.")
    return path, gr.Tabs(selected="style")


def to_inpaint(pictures):
    return first_picture(pictures), gr.Tabs(selected="inpaint")


def to_speech(text: str):
    if not (text or "").strip():
        raise gr.Error("There is no text to read yet.")
    return text[:1000], gr.Tabs(selected="audio"), gr.Tabs(selected="audio-speech")


def to_text_to_image(pictures, seed):
    """The story's first picture into the Image tab's text to image: its subject, one image and the story's seed
    (paragraph n is drawn with seed + n), so Draw gives the same picture to vary from there."""
    if not pictures or seed is None:
        raise gr.Error("Tell a story first, then send its pictures.")
    caption = pictures[0][1] if isinstance(pictures[0], (tuple, list)) else ""
    subject = (caption or "").split(":")[0].strip()
    if not subject:
        raise gr.Error("The first picture has no caption to draw from.")
    return subject, int(seed), 1, gr.Tabs(selected="image"), gr.Tabs(selected="image-t2i-tab")


# button, function, inputs, outputs (elem_ids; "tabs" is the studio's top-level tab bar)
SENDS = [
    ("mm-send-style", to_style, ["mm-images"], ["style-input", "tabs"]),
    ("mm-send-inpaint", to_inpaint, ["mm-images"], ["inpaint-editor", "tabs"]),
    ("t2i-send-style", to_style, ["t2i-images"], ["style-input", "tabs"]),
    ("t2i-send-inpaint", to_inpaint, ["t2i-images"], ["inpaint-editor", "tabs"]),
    ("inpaint-send-style", file_to_style, ["inpaint-download"], ["style-input", "tabs"]),
    ("mm-story-send-speech", to_speech, ["mm-story-text"], ["speech-text", "tabs", "audio-tabs"]),
    ("text-send-speech", to_speech, ["text-output"], ["speech-text", "tabs", "audio-tabs"]),
    ("mm-story-send-explorer", to_text_to_image, ["mm-story-pictures", "mm-story-seed"],
     ["t2i-prompt", "t2i-seed", "t2i-count", "tabs", "image-tabs"]),
]


def wire_send_buttons(demo: gr.Blocks, tabs: gr.Tabs) -> None:
    """Connect every send button whose source and target are in this build; hide the others."""
    for button_id, function, sources, targets in SENDS:
        button = component(demo, button_id)
        if button is None:
            continue
        inputs = [component(demo, elem_id) for elem_id in sources]
        outputs = [tabs if elem_id == "tabs" else component(demo, elem_id) for elem_id in targets]
        if any(block is None for block in inputs + outputs):
            button.visible = False
            continue
        button.click(function, inputs, outputs, api_visibility="undocumented", queue=False)
