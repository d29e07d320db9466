"""Load and soak: concurrent clients all get the right answer; a burst beyond the queue gets a clear 'busy'
message instead of a hang; 500 sequential mixed requests keep memory and temp files bounded."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psutil
import pytest
from gradio_client import Client
from PIL import Image

from tests.conftest import served_app


@pytest.fixture(scope="module")
def url(tiny_checkpoints):
    with served_app() as local_url:
        yield local_url


def text_request(client, seed):
    return client.predict("Emma", max_new_tokens=12, seed=seed, api_name="/generate_text")[0]


def image_request(client, seed):
    gallery = client.predict(model="dcgan", num_images=2, seed=seed, label="Bag", api_name="/generate_image")[0]
    return [np.asarray(Image.open(item["image"])) for item in gallery]




def same(a, b) -> bool:
    if isinstance(a, str):
        return a == b
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_fifty_concurrent_requests_are_all_answered_and_correct(url):
    # Fifty different requests (seeds differ): identical outputs would share one file in Gradio's
    # content-addressed cache, and a download racing its rewrite can come back short.
    clients = [Client(url, verbose=False) for _ in range(5)]
    jobs = [(text_request if i % 2 else image_request, 100 + i) for i in range(50)]
    expected = [request(clients[0], seed) for request, seed in jobs]
    with ThreadPoolExecutor(max_workers=50) as pool:
        futures = [pool.submit(request, clients[i % len(clients)], seed) for i, (request, seed) in enumerate(jobs)]
        answers = [future.result(timeout=300) for future in futures]
    assert len(answers) == 50
    assert all(same(answer, wanted) for answer, wanted in zip(answers, expected))


def test_a_burst_beyond_the_queue_gets_a_busy_message_not_a_hang(tiny_checkpoints):
    from aigc_demo.ui import build_demo, launch_options

    demo = build_demo()
    demo.queue(default_concurrency_limit=1, max_size=3)  # a small queue, so a burst of 20 overflows it
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, **launch_options())
    try:
        client = Client(url, verbose=False)
        start = time.perf_counter()
        jobs = [client.submit("Emma", max_new_tokens=60, seed=i, api_name="/generate_text") for i in range(20)]
        outcomes = []
        for job in jobs:
            try:
                outcomes.append(("ok", job.result(timeout=120)[0]))
            except Exception as error:
                outcomes.append(("error", str(error)))
        assert time.perf_counter() - start < 120
        busy = [message for kind, message in outcomes if kind == "error"]
        assert busy and all("queue is full" in message.lower() for message in busy)
        assert sum(kind == "ok" for kind, _ in outcomes) >= 3
        assert "tokens/s" in client.predict("Emma", max_new_tokens=3, api_name="/generate_text")[1]  # and it recovers
    finally:
        demo.close()


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0


def test_soak_500_mixed_requests_keep_memory_and_temp_files_bounded(url):
    import tempfile

    from aigc_demo.tempfiles import OUTPUT_DIR

    gradio_cache = Path(os.environ.get("GRADIO_TEMP_DIR", Path(tempfile.gettempdir()) / "gradio"))
    client = Client(url, verbose=False)
    process = psutil.Process()
    # Short answers and few denoising steps: the soak is about memory and files, not the models' speed.
    mix = [lambda i: text_request(client, i % 7), lambda i: image_request(client, i % 5),
           lambda i: client.predict("trainers", 1, i % 3, steps=4, api_name="/text_to_image"),
           lambda i: client.predict("What do you think of him?", [], "", max_new_tokens=8, seed=i % 3,
                                    api_name="/chat")]
    for i in range(60):  # warm-up: every model loaded, caches filled
        mix[i % len(mix)](i)
    rss_warm, temp_warm = process.memory_info().rss, folder_size(gradio_cache) + folder_size(OUTPUT_DIR)
    for i in range(500):
        mix[i % len(mix)](i)
    rss_end, temp_end = process.memory_info().rss, folder_size(gradio_cache) + folder_size(OUTPUT_DIR)
    print(f"RSS {rss_warm / 2**20:.0f} -> {rss_end / 2**20:.0f} MiB; temp {temp_warm / 2**10:.0f} -> "
          f"{temp_end / 2**10:.0f} KiB")
    assert rss_end < rss_warm * 1.10
    # Outputs repeat (the same seeds), so Gradio's content-addressed cache doesn't grow with them; what does
    # grow is one small run card per request until delete_cache removes it (after an hour).
    assert temp_end - temp_warm < 500 * 4 * 1024
