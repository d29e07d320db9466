"""The Multimodal tab in a real browser (Debian's Chromium via Playwright), with the bundled models."""
import os

import pytest

from aigc_demo.checkpoints import REPO_ROOT
from tests.conftest import CHROMIUM, error_toasts, served_app
from tests.test_browser import open_page

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def url():
    previous = os.environ.get("AIGC_CHECKPOINTS")
    os.environ["AIGC_CHECKPOINTS"] = str(REPO_ROOT / "checkpoints")
    try:
        with served_app() as local_url:
            yield local_url
    finally:
        if previous is None:
            os.environ.pop("AIGC_CHECKPOINTS", None)
        else:
            os.environ["AIGC_CHECKPOINTS"] = previous


def open_multimodal(browser, url, sub_tab):
    page = open_page(browser, url)
    page.get_by_role("tab", name="Multimodal").first.click()
    page.get_by_role("tab", name=sub_tab).first.click()
    return page


def test_text_to_image_draws_says_what_it_read_and_sends_to_style_transfer(browser, url, tmp_path):
    page = open_multimodal(browser, url, "Text to image")
    page.locator("#mm-prompt textarea").fill("a red apple")
    page.locator("#mm-draw").click()
    page.wait_for_function("() => document.querySelectorAll('#mm-images img').length >= 4", timeout=60_000)
    page.locator("#mm-understood").get_by_text("a red apple").wait_for(timeout=10_000)
    assert error_toasts(page) == 0
    page.screenshot(path=str(tmp_path / "multimodal.png"), full_page=True)
    page.locator("#mm-send-style").click()
    page.locator("#style-input").get_by_text(".webp").or_(page.locator("#style-input").get_by_text(".png")) \
        .first.wait_for(timeout=20_000)
    assert page.get_by_role("tab", name="Style transfer", selected=True).count() == 1


def test_an_empty_prompt_is_refused_in_a_toast(browser, url):
    page = open_multimodal(browser, url, "Text to image")
    page.locator("#mm-draw").click()
    page.get_by_text("Type a prompt that describes a picture").first.wait_for(timeout=30_000)
    assert "Traceback" not in page.content()


def test_a_story_gets_pictures_narration_and_a_video(browser, url):
    page = open_multimodal(browser, url, "Story")
    page.get_by_label("Opening of the story").first.fill("Emma wore her best dress to the ball.")
    page.get_by_label("Paragraphs").first.fill("1")
    page.locator("#mm-tell").click()
    page.wait_for_function("() => document.querySelector('#mm-story-video video')?.src", timeout=120_000)
    assert page.locator("#mm-story-audio audio, #mm-story-audio [data-testid='waveform-controls']").count() >= 1
    assert page.locator("#mm-story-pictures img").count() >= 1
    assert error_toasts(page) == 0
    page.locator("#mm-story-send-explorer").click()
    page.wait_for_function("() => document.querySelector('#t2i-prompt textarea')?.value.length > 1", timeout=20_000)
    assert page.get_by_role("tab", name="Image", exact=True, selected=True).count() == 1


def test_answers_come_from_passages_of_the_novels(browser, url):
    page = open_multimodal(browser, url, "Answers from passages")
    page.locator("#mm-question textarea").fill("What do you think of Mr. Darcy?")
    page.locator("#mm-reply").click()
    page.wait_for_function("() => document.querySelector('#mm-best-reply textarea')?.value.length > 10",
                           timeout=60_000)
