"""The Model Lab's live training, which is UI-only, driven in Debian's Chromium on tiny data."""
import pytest

from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, error_toasts, served_app
from tests.test_browser import pytestmark as browser_needed

pytestmark = browser_needed  # skipped where Debian's Chromium is not installed


@pytest.fixture(scope="module")
def url(tiny_checkpoints, idx_root):
    import os

    saved = os.environ.get("AIGC_FASHION_MNIST")
    os.environ["AIGC_FASHION_MNIST"] = str(idx_root)
    with served_app() as local_url:
        yield local_url
    os.environ.pop("AIGC_FASHION_MNIST") if saved is None else os.environ.__setitem__("AIGC_FASHION_MNIST", saved)


def test_live_training_plots_finishes_and_the_model_generates_here_and_in_the_image_tab(url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(url)
        page.get_by_role("tab", name="Model Lab").first.click()
        page.locator("#lab-steps input[type=number]").fill("8")
        page.keyboard.press("Enter")
        page.locator("#lab-train").click()
        page.locator("#lab-train-status").get_by_text("Step 8 of 8").wait_for(timeout=60_000)
        page.locator("#lab-train-status").get_by_text("finished").wait_for(timeout=60_000)
        page.locator("#lab-try-trained").click()
        page.wait_for_function("() => document.querySelectorAll('#lab-trained-gallery img').length >= 10", timeout=60_000)
        assert error_toasts(page) == 0
        page.screenshot(path=str(tmp_path / "lab.png"), full_page=True)
        # The trained model is offered in the Image tab for this browser session.
        page.get_by_role("tab", name="Image").first.click()
        page.get_by_role("tab", name="Generate", exact=True).first.click()  # the second panel, after text to image
        page.locator("span:visible", has_text="Models from the Model Lab").first.click()
        page.locator("#image-session-generate").click()
        page.wait_for_function("() => document.querySelectorAll('#image-gallery img').length >= 16", timeout=60_000)
        assert error_toasts(page) == 0
        browser.close()
