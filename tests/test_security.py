"""Security: file routes, upload limits, safetensors-only loading, escaped output, no paths in errors."""
from __future__ import annotations

import pickle
import shutil

import httpx
import pytest
import torch
from gradio_client import Client, handle_file

from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.errors import ModelUnavailableError
from tests.conftest import served_app


@pytest.fixture(scope="module")
def url(tiny_checkpoints):
    with served_app() as local_url:
        yield local_url


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd",
                                  "app.py", str(REPO_ROOT / "app.py"), str(REPO_ROOT / "checkpoints/stylegan/config.json"),
                                  "assets/../app.py", str(REPO_ROOT / "assets/../README.md")])
def test_file_routes_refuse_anything_outside_assets(url, path):
    response = httpx.get(f"{url}gradio_api/file={path}")
    assert response.status_code in (403, 404), (path, response.status_code)
    assert b"root:" not in response.content and b"import" not in response.content[:200]


def test_assets_are_served(url):
    response = httpx.get(f"{url}gradio_api/file={REPO_ROOT / 'assets/style_examples/coffee.jpg'}")
    assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"


def test_uploads_over_the_limit_get_413(url):
    big = b"\0" * (21 * 1024 * 1024)
    response = httpx.post(f"{url}gradio_api/upload", files={"files": ("big.png", big, "image/png")}, timeout=60)
    assert response.status_code == 413
    small = httpx.post(f"{url}gradio_api/upload", files={"files": ("small.png", b"\x89PNG", "image/png")})
    assert small.status_code == 200


class Boom:
    """A pickle that would write a marker file when unpickled."""
    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def malicious_pickle(path, marker):
    Boom.marker = str(marker)
    with open(path, "wb") as file:
        pickle.dump(Boom(), file)


def test_a_pickled_image_checkpoint_is_refused_and_never_unpickled(tiny_checkpoints, tmp_path):
    from aigc_demo.pipelines.image import load_from_folder

    folder = tmp_path / "stylegan"
    shutil.copytree(tiny_checkpoints / "stylegan", folder)
    (folder / "model.safetensors").unlink()
    marker = tmp_path / "pwned"
    for name in ("pytorch_model.bin", "model.pt", "model.pkl"):
        malicious_pickle(folder / name, marker)
    with pytest.raises(ModelUnavailableError, match="failed to load"):
        load_from_folder("stylegan", folder, torch.device("cpu"), torch.float32)
    assert not marker.exists()


def test_a_pickled_language_model_is_refused_and_never_unpickled(tiny_checkpoints, tmp_path, monkeypatch):
    from aigc_demo.models.language import load_language_model

    root = tmp_path / "checkpoints"
    shutil.copytree(tiny_checkpoints / "gpt2-austen", root / "gpt2-austen")
    (root / "gpt2-austen" / "model.safetensors").unlink()
    marker = tmp_path / "pwned"
    malicious_pickle(root / "gpt2-austen" / "pytorch_model.bin", marker)
    monkeypatch.setenv("AIGC_CHECKPOINTS", str(root))
    with pytest.raises(ModelUnavailableError, match="not safetensors"):
        load_language_model("gpt2-austen", torch.device("cpu"), torch.float32)
    assert not marker.exists()


def test_errors_name_no_server_paths(url, tmp_path):
    client = Client(url, verbose=False)
    fake = tmp_path / "secret-name.png"
    fake.write_bytes(b"not an image at all")
    messages = []
    for call in (lambda: client.predict(handle_file(str(fake)), api_name="/describe_image"),
                 lambda: client.predict(image=handle_file(str(fake)), api_name="/style_transfer"),
                 lambda: client.predict("x", model="../../etc/passwd", api_name="/generate_text"),
                 lambda: client.predict(model="/etc", api_name="/generate_image")):
        with pytest.raises(Exception) as error:
            call()
        messages.append(str(error.value))
    for message in messages:
        assert "/tmp" not in message and str(REPO_ROOT) not in message and "Traceback" not in message
        assert "secret-name" not in message, message  # the upload's server-side temp path is never echoed


def test_no_output_renders_html_unsanitised(tiny_checkpoints):
    """Text from users and models reaches the page only through Textboxes and sanitised Markdown: every Markdown
    component keeps Gradio's HTML sanitiser on, and gr.HTML components are never an event's output."""
    import gradio as gr

    from aigc_demo.ui import build_demo

    demo = build_demo()
    blocks = list(demo.blocks.values())
    markdowns = [b for b in blocks if isinstance(b, gr.Markdown)]
    assert markdowns and all(b.sanitize_html for b in markdowns)
    html_ids = {b._id for b in blocks if isinstance(b, gr.HTML)}
    outputs = {block_id for dependency in demo.config["dependencies"] for block_id in dependency["outputs"]}
    assert not html_ids & outputs


def test_a_scripted_prompt_is_refused_or_shown_as_text(url):
    client = Client(url, verbose=False)
    images, understood, *_ = client.predict("<script>alert(1)</script>", 1, 1, api_name="/text_to_image")
    assert len(images) == 1 and "<script>" not in understood and "&lt;" in understood  # drawn, shown escaped
