"""Story mode (step-by-step multimodal generation): a prompt becomes paragraphs (the Text tab's default model),
each paragraph an illustration (emoji-sd, of the subject closest to it), a narration (text to speech) and, under
it all, a music bed (the chorale model); then one MP4 (imageio-ffmpeg's own ffmpeg) beside the text, images and
audio.

The pipeline is a generator of events, so the UI can show progress and stop between and inside stages:
("stage", name, fraction), ("text", story so far), ("images", pictures so far), ("done", Story).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from aigc_demo.errors import UserInputError

MAX_PARAGRAPHS = 5
TOKENS_PER_PARAGRAPH = 80
MUSIC_GAIN = 0.12  # the music bed sits about 18 dB under the voice
PAUSE_SECONDS = 0.6  # silence between paragraphs
FRAME_SIZE = (640, 360)
PICTURE_SIDE = 224
VIDEO_FPS = 4  # still pictures: a few frames a second is enough and keeps encoding quick
FROM_TEXT = "from the text"


@dataclass
class Paragraph:
    text: str
    concept: str        # what was drawn (the prompt given to emoji-sd)
    reason: str         # why ("closest to the paragraph", "the chosen motif")
    image: np.ndarray | None = None
    narration: np.ndarray | None = None


@dataclass
class Story:
    paragraphs: list[Paragraph]
    sample_rate: int
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # narration + music
    audio_path: str = ""  # the same audio as a WAV file
    video_path: str = ""
    seconds: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


def read_paragraph_count(paragraphs) -> int:
    count = int(paragraphs)
    if count < 1:
        raise UserInputError(f"A story needs 1 to {MAX_PARAGRAPHS} paragraphs.")
    return min(count, MAX_PARAGRAPHS)


def tidy_paragraph(text: str) -> str:
    """A model's paragraph cut after its last full sentence, whitespace squeezed."""
    text = " ".join(text.split())
    ends = [m.end() for m in re.finditer(r"[.!?][\"'\u201d\u2019]?(\s|$)", text)]
    return text[:ends[-1]].strip() if ends and ends[-1] > len(text) // 3 else text


def choose_subjects(texts: list[str], motif: str) -> list[tuple[str, str]]:
    """(what to draw, why) per paragraph: the motif if one is typed; else the subject emoji-sd learned that the
    MiniLM encoder finds closest to the paragraph."""
    if motif and motif.strip() and motif != FROM_TEXT:
        return [(motif.strip()[:200], "the chosen motif")] * len(texts)
    from aigc_demo.pipelines.encoder import encode

    names, vectors = subject_index()
    scores = encode(texts) @ vectors.T
    best = scores.argmax(axis=1)
    return [(names[int(i)], f"closest to the paragraph (similarity {scores[row, i]:.2f})")
            for row, i in enumerate(best)]


def subject_index() -> tuple[list[str], np.ndarray]:
    """The names of what emoji-sd was trained to draw (its subjects.json) and their sentence embeddings."""
    from aigc_demo.errors import ModelUnavailableError
    from aigc_demo.pipelines.encoder import encode
    from aigc_demo.pipelines.text_to_image import model_folder
    from aigc_demo.registry import registry

    def build():
        path = model_folder() / "subjects.json"
        if not path.is_file():
            raise ModelUnavailableError("The story's pictures need emoji-sd's subjects.json, which this build lacks.")
        names = json.loads(path.read_text(encoding="utf-8"))
        return names, encode(names)
    return registry.get(("story-subjects", str(model_folder())), build)


def write_paragraphs(prompt: str, count: int, seed: int, generate: Callable[[str, int], Iterator[str]]
                     ) -> Iterator[tuple[str, list[str]]]:
    """Stream ("partial text", paragraphs so far): each paragraph continues the story so far; the first one
    starts with the prompt itself, so the story reads from its first words."""
    paragraphs: list[str] = []
    for index in range(count):
        opening = prompt if index == 0 else ""
        context = "\n\n".join(paragraphs + [opening]) if paragraphs else prompt
        text = ""
        for text in generate(context, seed + index):
            yield (opening + text).strip(), paragraphs
        paragraphs.append(tidy_paragraph(opening + text) or prompt)
        yield "", paragraphs


def story_frame(picture: np.ndarray, caption: str, index: int, total: int) -> np.ndarray:
    """A 640x360 video frame: the picture enlarged (Lanczos, as the Image tab shows it) and the paragraph's opening
    words beneath it."""
    frame = Image.new("RGB", FRAME_SIZE, (18, 18, 24))
    tile = Image.fromarray(picture).convert("RGB").resize((PICTURE_SIDE, PICTURE_SIDE), Image.LANCZOS)
    frame.paste(tile, ((FRAME_SIZE[0] - PICTURE_SIDE) // 2, 24))
    draw = ImageDraw.Draw(frame)
    font = ImageFont.load_default(size=15)
    words = caption if len(caption) <= 150 else caption[:147].rsplit(" ", 1)[0] + "..."
    lines, line = [], ""
    for word in words.split():
        if draw.textlength(line + " " + word, font=font) > FRAME_SIZE[0] - 40:
            lines.append(line)
            line = word
        else:
            line = (line + " " + word).strip()
    lines.append(line)
    for row, text in enumerate(lines[:3]):
        draw.text((20, 262 + row * 20), text, fill=(235, 235, 235), font=font)
    draw.text((FRAME_SIZE[0] - 60, 8), f"{index + 1}/{total}", fill=(150, 150, 160), font=font)
    return np.asarray(frame)


def join_narrations(narrations: list[np.ndarray], rate: int) -> tuple[np.ndarray, list[float]]:
    """All narrations with a pause after each, and each paragraph's start time in seconds."""
    pause = np.zeros(int(PAUSE_SECONDS * rate), np.float32)
    starts, pieces, position = [], [], 0
    for narration in narrations:
        starts.append(position / rate)
        pieces += [narration.astype(np.float32), pause]
        position += len(narration) + len(pause)
    return np.concatenate(pieces), starts


def fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    """Loop or cut `audio` to exactly `length` samples, with short fades so the seams don't click."""
    if len(audio) == 0:
        return np.zeros(length, np.float32)
    repeated = np.tile(audio, int(np.ceil(length / len(audio))))[:length].astype(np.float32)
    fade = min(len(repeated) // 4, 2048)
    if fade:
        ramp = np.linspace(0, 1, fade, dtype=np.float32)
        repeated[:fade] *= ramp
        repeated[-fade:] *= ramp[::-1]
    return repeated


def mix(narration: np.ndarray, music: np.ndarray, gain: float = MUSIC_GAIN) -> np.ndarray:
    """The voice with the music bed under it, peak-limited to [-1, 1]."""
    peak = float(np.max(np.abs(music))) or 1.0
    mixed = narration + gain * fit_length(music / peak, len(narration))
    return (mixed / max(1.0, float(np.max(np.abs(mixed))))).astype(np.float32)


def resample(audio: np.ndarray, source: int, target: int) -> np.ndarray:
    if source == target:
        return audio.astype(np.float32)
    import librosa

    return librosa.resample(audio.astype(np.float32), orig_sr=source, target_sr=target).astype(np.float32)


def write_video(path: Path, frames: list[np.ndarray], starts: list[float], total_seconds: float,
                audio_path: Path) -> None:
    """An H.264/AAC MP4: each paragraph's frame held from its narration's start until the next one's."""
    import imageio_ffmpeg

    ends = starts[1:] + [total_seconds]
    writer = imageio_ffmpeg.write_frames(str(path), FRAME_SIZE, fps=VIDEO_FPS, codec="libx264",
                                         audio_path=str(audio_path), audio_codec="aac", output_params=["-shortest"],
                                         ffmpeg_log_level="error", macro_block_size=8)
    writer.send(None)
    for frame, start, end in zip(frames, starts, ends):
        for _ in range(max(1, round((end - start) * VIDEO_FPS))):
            writer.send(np.ascontiguousarray(frame))
    writer.close()


# ----------------------------------------------------------------------------- the stages, with the real models
MUSIC_BPM, MUSIC_BARS_MAX = 80.0, 16  # a 4/4 bar at 80 bpm lasts 3 s; longer stories loop the bed


STORY_REQUEST = ("Here is the beginning of a short story:\n\n{context}\n\nContinue the story with the next "
                 "paragraph, two or three sentences long. Write only the new paragraph.")


def model_paragraph(context: str, seed: int, should_stop: Callable[[], bool] = lambda: False) -> Iterator[str]:
    """The next paragraph from the Text tab's default model: asked for it in a chat when it is an instruct
    model, else (GPT-2) by continuing the text."""
    from aigc_demo.models.language import default_model
    from aigc_demo.pipelines.text import GenerationSettings, stream_text

    # A little cooler and less repetitive than the Text tab's defaults: small models stay closer to sense.
    settings = GenerationSettings(max_new_tokens=TOKENS_PER_PARAGRAPH, temperature=0.7, top_k=40,
                                  repetition_penalty=1.2)
    model = default_model()
    prompt = [{"role": "user", "content": STORY_REQUEST.format(context=context)}] if is_chat(model) else context
    for chunk, _ in stream_text(model, prompt, settings, seed, should_stop=should_stop):
        yield (" " if prompt is not context else "") + chunk.text


def is_chat(model: str) -> bool:
    from aigc_demo.models.language import chat_models

    return model in chat_models()


def draw_picture(subject: str, seed: int) -> np.ndarray:
    """One emoji-sd picture at the Image tab's defaults: the same subject and seed there give the same picture."""
    from aigc_demo.pipelines.text_to_image import text_to_image_pipeline
    from aigc_demo.seeding import torch_generator

    return text_to_image_pipeline()(subject, torch_generator(seed), num_images=1)[0]


def narrate(text: str) -> tuple[np.ndarray, int]:
    from aigc_demo.pipelines.speech import TextToSpeechPipeline, default_voice

    audio, rate, _ = TextToSpeechPipeline()(text, default_voice(), 1.0)
    return audio, rate


def compose(seconds: float, seed: int) -> tuple[np.ndarray, int]:
    from aigc_demo.pipelines.music import MusicPipeline, cached_music_model
    from aigc_demo.seeding import torch_generator

    bars = int(min(MUSIC_BARS_MAX, max(2, np.ceil(seconds / (4 * 60 / MUSIC_BPM)))))
    result = MusicPipeline(cached_music_model())(bars=bars, temperature=0.9, generator=torch_generator(seed),
                                                 bpm=MUSIC_BPM)
    return result.audio, result.sample_rate


def tell_story(prompt: str, paragraphs: int, seed: int, motif: str = FROM_TEXT,
               should_stop: Callable[[], bool] = lambda: False, folder: Path | None = None) -> Iterator[tuple]:
    """Yield progress events and finally ("done", Story). Stops early (no "done") when should_stop() turns true.
    The WAV and MP4 go to the pruned output folder (or `folder`)."""
    import time

    import soundfile

    from aigc_demo.tempfiles import new_output_path

    count, clock = read_paragraph_count(paragraphs), {}
    # 1. text
    start = time.perf_counter()
    texts: list[str] = []
    for partial, texts in write_paragraphs(prompt, count, seed,
                                           lambda context, s: model_paragraph(context, s, should_stop)):
        if should_stop():
            return
        yield "text", "\n\n".join(texts + [partial]).strip()
        if not partial:  # a paragraph is complete
            yield "stage", "text", len(texts) / count * 0.4
    clock["text"] = time.perf_counter() - start
    # 2. pictures
    start = time.perf_counter()
    story = Story([], 0)
    for index, (text, (subject, reason)) in enumerate(zip(texts, choose_subjects(texts, motif))):
        story.paragraphs.append(Paragraph(text, subject, reason, draw_picture(subject, seed + index)))
        if should_stop():
            return
        yield "images", [(p.image, f"{p.concept}: {p.reason}") for p in story.paragraphs]
        yield "stage", "pictures", 0.4 + 0.15 * (index + 1) / count
    clock["pictures"] = time.perf_counter() - start
    # 3. narration
    start = time.perf_counter()
    for index, paragraph in enumerate(story.paragraphs):
        paragraph.narration, story.sample_rate = narrate(paragraph.text)
        if should_stop():
            return
        yield "stage", "narration", 0.55 + 0.25 * (index + 1) / count
    voice, starts = join_narrations([p.narration for p in story.paragraphs], story.sample_rate)
    clock["narration"] = time.perf_counter() - start
    # 4. music bed
    start = time.perf_counter()
    music, music_rate = compose(len(voice) / story.sample_rate, seed)
    story.audio = mix(voice, resample(music, music_rate, story.sample_rate))
    clock["music"] = time.perf_counter() - start
    if should_stop():
        return
    yield "stage", "music", 0.9
    # 5. video
    start = time.perf_counter()
    audio_path = new_output_path("story-", ".wav", folder)
    soundfile.write(audio_path, story.audio, story.sample_rate)
    story.audio_path = str(audio_path)
    frames = [story_frame(p.image, p.text, i, count) for i, p in enumerate(story.paragraphs)]
    story.video_path = str(new_output_path("story-", ".mp4", folder))
    write_video(Path(story.video_path), frames, starts, len(story.audio) / story.sample_rate, audio_path)
    clock["video"] = time.perf_counter() - start
    story.seconds = {stage: round(value, 2) for stage, value in clock.items()}
    yield "stage", "video", 1.0
    yield "done", story
