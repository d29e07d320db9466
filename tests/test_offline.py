"""Offline guarantee: the app, started with every outbound connection refused (only loopback allowed), serves
every tab's default model, and nothing tries to reach the network."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from gradio_client import Client, handle_file

from aigc_demo.checkpoints import REPO_ROOT

# Loaded into the app's interpreter through PYTHONPATH: every connect() or name lookup that isn't loopback is
# refused and written down.
GUARD = '''
import os, socket
_log = os.environ["AIGC_NETWORK_LOG"]
_LOCAL = ("127.0.0.1", "::1", "localhost", "0.0.0.0")

def _note(what):
    with open(_log, "a") as f:
        f.write(repr(what) + "\\n")

def _is_local(address):
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host in _LOCAL or host.startswith("127.") or host.startswith("/"))

_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

def connect(self, address):
    if self.family != socket.AF_UNIX and not _is_local(address):
        _note(("connect", address))
        raise OSError(101, "Network is unreachable (offline test)")
    return _connect(self, address)

def connect_ex(self, address):
    if self.family != socket.AF_UNIX and not _is_local(address):
        _note(("connect_ex", address))
        return 101
    return _connect_ex(self, address)

def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_local(host if isinstance(host, str) else host.decode()):
        _note(("getaddrinfo", host))
        raise socket.gaierror(-3, "Temporary failure in name resolution (offline test)")
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def offline_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("offline")
    (folder / "sitecustomize.py").write_text(GUARD)
    log = folder / "network.log"
    log.touch()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "AIGC_NETWORK_LOG": str(log), "AIGC_CHECKPOINTS": str(REPO_ROOT / "checkpoints")}
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        env.pop(name, None)  # the guarantee must hold without these switches
    server = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                client = Client(url, verbose=False)
                break
            except Exception:
                if server.poll() is not None:
                    pytest.fail(f"the app exited: {server.stdout.read()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start in 120 s")
        yield client, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_guard_refuses_the_network(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "net.log"
    code = "import socket\ntry:\n    socket.create_connection(('example.com', 80), timeout=3)\nexcept OSError:\n    print('refused')"
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "AIGC_NETWORK_LOG": str(log)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "refused" and "example.com" in log.read_text()


def default_requests() -> list[tuple[str, dict]]:
    photo = handle_file(str(REPO_ROOT / "assets" / "style_examples" / "coffee.jpg"))
    garment = handle_file(str(REPO_ROOT / "assets" / "style_examples" / "sneaker.png"))
    return [
        ("/generate_text", {"prompt": "It is a truth universally acknowledged", "max_new_tokens": 8, "seed": 1}),
        ("/generate_image", {"num_images": 2, "seed": 1}),
        ("/style_transfer", {"image": photo}),
        ("/text_to_image", {"prompt": "trainers", "num_images": 1, "seed": 1}),
        ("/describe_image", {"image": garment}),
        ("/reply", {"message": "Shall we walk?"}),
        ("/text_to_speech", {"text": "Hello from an offline studio."}),
        ("/generate_music", {"seed": 1}),
    ]


@pytest.mark.parametrize("endpoint, arguments", default_requests(), ids=lambda value: str(value)[:20])
def test_every_default_model_works_offline(offline_app, endpoint, arguments):
    client, log = offline_app
    result = client.predict(api_name=endpoint, **arguments)
    first = result[0] if isinstance(result, (list, tuple)) else result
    assert first not in (None, "", [])
    assert log.read_text() == "", f"{endpoint} tried the network: {log.read_text()[:500]}"


def test_nothing_phoned_home_at_start_or_at_all(offline_app):
    _, log = offline_app
    assert log.read_text() == ""
