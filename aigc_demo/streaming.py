"""Turn a callback-reporting computation into an iterator a Gradio generator can yield from.

Pipelines report progress through `on_step(...)` callbacks (they know nothing of Gradio); the UI
wants to yield previews as they come and to stop the work when the user presses Stop, which
closes the generator. The work runs in a thread; closing the iterator makes `on_step` return True,
which the pipeline treats as "stop now".
"""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterator

StepHandler = Callable[..., bool]


def iterate_steps(run: Callable[[StepHandler], Any]) -> Iterator[tuple[str, Any]]:
    """Yield ("step", callback args) for each step, then ("done", result); re-raise the work's error."""
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def on_step(*args) -> bool:
        events.put(("step", args))
        return stop.is_set()

    def work() -> None:
        try:
            events.put(("done", run(on_step)))
        except BaseException as error:  # handed to the consumer, which re-raises it in its own thread
            events.put(("error", error))

    threading.Thread(target=work, daemon=True, name="aigc-stream").start()
    try:
        while True:
            kind, payload = events.get()
            if kind == "error":
                raise payload
            yield kind, payload
            if kind == "done":
                return
    finally:
        stop.set()
