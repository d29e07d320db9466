"""Deployment: the command-line flags, MCP, and what Hugging Face Spaces reads (front matter, packages.txt)."""
from __future__ import annotations

import logging

import yaml

import app
from aigc_demo.checkpoints import REPO_ROOT


def test_flags_become_launch_options():
    options = app.serve_options(app.parse_args(["--host", "0.0.0.0", "--port", "7999", "--share"]))
    assert options == {"server_name": "0.0.0.0", "server_port": 7999, "share": True}


def test_mcp_is_served_when_the_extra_is_installed(monkeypatch):
    monkeypatch.setattr(app, "mcp_available", lambda: True)
    assert app.serve_options(app.parse_args(["--mcp"]))["mcp_server"] is True


def test_mcp_without_the_extra_says_so_and_serves_anyway(monkeypatch, caplog):
    monkeypatch.setattr(app, "mcp_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="aigc_demo"):
        options = app.serve_options(app.parse_args(["--mcp"]))
    assert "mcp_server" not in options and "gradio[mcp]" in caplog.text


def test_spaces_front_matter_matches_the_app():
    import gradio

    front = yaml.safe_load((REPO_ROOT / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    assert front["sdk"] == "gradio" and (REPO_ROOT / front["app_file"]).is_file()
    # Spaces installs sdk_version: same major version as here, and not older than the file-route fixes (6.20).
    spaces = tuple(int(x) for x in str(front["sdk_version"]).split(".")[:2])
    assert spaces[0] == int(gradio.__version__.split(".")[0]) and spaces >= (6, 20)


def test_debian_packages_are_listed_for_spaces_and_ci():
    packages = (REPO_ROOT / "packages.txt").read_text().split()
    assert {"espeak-ng", "fluidsynth", "timgm6mb-soundfont", "alsa-utils"} <= set(packages)
    assert "packages.txt" in (REPO_ROOT / ".ci" / "run").read_text()
