"""iterate_steps: previews stream out of a worker thread, errors come back, and closing the stream stops the work."""
import threading
import time

import pytest

from aigc_demo.streaming import iterate_steps


def counting_work(steps: int, finished: threading.Event):
    def run(on_step):
        for index in range(steps):
            time.sleep(0.01)
            if on_step(index, steps):
                return f"stopped at {index}"
        finished.set()
        return "done"
    return run


def test_steps_then_result():
    events = list(iterate_steps(counting_work(5, threading.Event())))
    assert [kind for kind, _ in events] == ["step"] * 5 + ["done"] and events[-1][1] == "done"


def test_closing_the_stream_stops_the_work():
    finished = threading.Event()
    stream = iterate_steps(counting_work(1000, finished))
    next(stream)
    stream.close()  # what Gradio does when the user presses Stop
    time.sleep(0.2)
    assert not finished.is_set()


def test_errors_in_the_work_reach_the_caller():
    def broken(on_step):
        raise ValueError("bad settings")

    with pytest.raises(ValueError, match="bad settings"):
        list(iterate_steps(broken))
