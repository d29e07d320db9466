"""Bad input across every endpoint that takes a file or text: each ends in output or one clear sentence (never
the generic failure or a traceback), and the server stays up for the next request."""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
import soundfile
from gradio_client import Client, handle_file
from PIL import Image

from aigc_demo.ui.common import GENERIC_FAILURE
from tests.conftest import served_app


@pytest.fixture(scope="module")
def client(tiny_checkpoints):
    with served_app() as url:
        yield Client(url, verbose=False)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A 1-bit PNG that declares 400 megapixels but is a few kilobytes: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\0" + b"\0" * ((width + 7) // 8)
    pixels = zlib.compress(row * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def photo(mode: str, size=(64, 48)) -> bytes:
    rgb = Image.fromarray(np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    if mode == "CMYK":
        buffer = io.BytesIO()
        rgb.convert("CMYK").save(buffer, format="JPEG")
        return buffer.getvalue()
    if mode == "I;16":
        return png_bytes(Image.fromarray((np.asarray(rgb.convert("L"), np.uint16) * 257)))
    return png_bytes(rgb.convert(mode))


BAD_IMAGES = {
    "zero-byte.png": b"",
    "truncated.png": photo("RGB")[:200],
    "corrupt.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "text-renamed.png": b"hello, this is not an image\n" * 10,
    "script.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
    "page.html": b"<html><body><script>alert(1)</script></body></html>",
    "rgba.png": photo("RGBA"), "palette.png": photo("P"), "cmyk.jpg": photo("CMYK"), "1-bit.png": photo("1"),
    "16-bit.png": photo("I;16"), "1x1.png": photo("RGB", (1, 1)), "10000x10.png": photo("RGB", (10_000, 10)),
    "bomb.png": bomb_png(),
}


def image_calls(path):
    file = handle_file(str(path))
    return {"/style_transfer": lambda c: c.predict(image=file, model="neural-style", api_name="/style_transfer"),
            "/describe_image": lambda c: c.predict(file, api_name="/describe_image"),
            "/reconstruct_image": lambda c: c.predict(file, api_name="/reconstruct_image"),
            "/inpaint": lambda c: c.predict(file, None, "telea", api_name="/inpaint"),
            "/inpaint (mask)": lambda c: c.predict(handle_file(str(path.parent / "good.png")), file, "telea",
                                                   api_name="/inpaint")}


def outcome(call, client) -> str:
    try:
        call(client)
        return "output"
    except Exception as error:  # gradio_client's AppError carries the server's message
        message = str(error)
        assert GENERIC_FAILURE not in message and "Traceback" not in message, message
        assert len(message) < 400, message
        return "message"


@pytest.mark.parametrize("name", BAD_IMAGES)
def test_bad_images_on_every_image_endpoint(client, tmp_path, name):
    (tmp_path / "good.png").write_bytes(photo("RGB"))
    path = tmp_path / name
    path.write_bytes(BAD_IMAGES[name])
    results = {endpoint: outcome(call, client) for endpoint, call in image_calls(path).items()}
    if name in ("zero-byte.png", "truncated.png", "corrupt.png", "text-renamed.png", "script.svg", "page.html",
                "bomb.png"):
        assert set(results.values()) == {"message"}, results
    assert client.predict(handle_file(str(tmp_path / "good.png")), api_name="/describe_image")[0]


def wav(tmp_path, name, seconds, rate=16_000, channels=1, silent=False, subtype="PCM_16"):
    t = np.arange(int(seconds * rate)) / rate
    tone = np.zeros_like(t) if silent else 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    data = np.stack([tone] * channels, axis=1) if channels > 1 else tone
    path = tmp_path / name
    soundfile.write(path, data, rate, subtype=subtype)
    return path


@pytest.mark.parametrize("make", ["silent", "0.05 s", "10 minutes", "96 kHz stereo", "float", "not audio",
                                  "zero-byte"])
def test_bad_audio_on_the_vocoder(client, tmp_path, make):
    if make == "not audio":
        path = tmp_path / "fake.wav"
        path.write_bytes(b"RIFF....WAVEnot really" * 20)
    elif make == "zero-byte":
        path = tmp_path / "empty.wav"
        path.write_bytes(b"")
    else:
        path = {"silent": lambda: wav(tmp_path, "silent.wav", 2, silent=True),
                "0.05 s": lambda: wav(tmp_path, "short.wav", 0.05),
                "10 minutes": lambda: wav(tmp_path, "long.wav", 600, rate=8000),
                "96 kHz stereo": lambda: wav(tmp_path, "hi.wav", 2, rate=96_000, channels=2),
                "float": lambda: wav(tmp_path, "float.wav", 1, subtype="FLOAT")}[make]()
    result = outcome(lambda c: c.predict(handle_file(str(path)), "griffin-lim", api_name="/vocode"), client)
    if make in ("not audio", "zero-byte", "0.05 s"):
        assert result == "message"
    good = wav(tmp_path, "good.wav", 1)
    assert client.predict(handle_file(str(good)), "griffin-lim", api_name="/vocode")[0]


TEXTS = ["", " \n\t ", "😀" * 30, "x" * 100_000, "\ud800 lone surrogate", "<script>alert(1)</script>", "!!!???...",
         "a"]


@pytest.mark.parametrize("text", TEXTS, ids=lambda text: repr(text[:12]))
def test_bad_text_on_every_text_endpoint(client, text):
    calls = {"/generate_text": lambda c: c.predict(text, max_new_tokens=4, api_name="/generate_text"),
             "/text_to_image": lambda c: c.predict(text, 1, 1, api_name="/text_to_image"),
             "/reply": lambda c: c.predict(text, api_name="/reply"),
             "/chat": lambda c: c.predict(text, [], text, api_name="/chat", max_new_tokens=4),
             "/text_to_speech": lambda c: c.predict(text, api_name="/text_to_speech")}
    for endpoint, call in calls.items():
        outcome(call, client)
    assert "tokens/s" in client.predict("Emma", max_new_tokens=2, api_name="/generate_text")[1]  # still answering


@pytest.mark.parametrize("endpoint, arguments", [
    ("/generate_image", {"num_images": 10**9}), ("/generate_image", {"num_images": -5}),
    ("/generate_image", {"truncation": float("nan")}), ("/generate_music", {"temperature": 1e9}),
    ("/generate_music", {"length": 10**6}), ("/text_to_image", {"prompt": "trainers", "num_images": 10**6}),
    ("/story", {"prompt": "Once.", "paragraphs": 1000}), ("/compress", {"amount": 99}),
    ("/chat", {"message": "Hi", "max_new_tokens": 10**9}), ("/chat", {"message": "Hi", "temperature": -3}),
    ("/reply", {"message": "Who?", "source": "../etc/passwd"}),
])
def test_numbers_out_of_range(client, endpoint, arguments):
    outcome(lambda c: c.predict(api_name=endpoint, **arguments), client)
    assert "tokens/s" in client.predict("Emma", max_new_tokens=2, api_name="/generate_text")[1]  # still answering
