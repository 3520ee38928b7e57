"""The built site in a real browser (Debian's headless Chromium, driven by Playwright)."""

import functools
import http.server
import shutil
import threading

import pytest

from helpers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]
LABS = ["00_data", "01_sigmoid_1h", "02_sigmoid_deep", "03_sigmoid_deep_bn", "04_relu_1h", "05_relu_deep_bn",
        "06_gradients", "07_results"]
PAGES = ["intro", "reproduce", *(f"notebooks/{n}" for n in LABS)]
ARTIFACTS = ROOT / "build" / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def site(built_site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=built_site / "_build" / "html")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "install Debian's chromium (make browser) for the browser test"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_loads_with_its_figures(browser, site, page_name):
    page = browser.new_page()
    response = page.goto(f"{site}/{page_name}.html", wait_until="load")
    assert response.status == 200
    assert page.locator("article h1").count() == 1
    images = page.eval_on_selector_all(
        "article img", "els => els.map(e => ({ok: e.complete && e.naturalWidth > 0, alt: e.alt}))")
    assert all(i["ok"] for i in images), images
    assert all(i["alt"].strip() for i in images), "every figure needs alt text"
    if page_name.startswith("notebooks/"):
        assert len(images) >= 1
        href = f"colab.research.google.com/github/backprop-course/backprop-lab/blob/main/book/{page_name}.ipynb"
        assert page.locator(f'a[href*="{href}"]').count() == 1, "the Colab launch button"
    page.close()


def test_results_page_shows_the_table_and_a_screenshot_is_saved(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/notebooks/07_results.html", wait_until="load")
    table = page.locator("article table").first
    assert table.locator("tr").count() == 6  # header and five experiments
    assert page.locator("article img").count() >= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "results.png", full_page=True)
    assert (ARTIFACTS / "results.png").stat().st_size > 50_000
    page.close()
