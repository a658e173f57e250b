"""The browser app, driven the way a student uses it (Playwright with Debian's Chromium).

The test starts ``chainsim app`` on a free localhost port, presses play,
checks that the month and the stage plot move on, clicks a region and
checks that its explanation appears, and saves a screenshot to
``results/app_screenshot.png``. Chromium comes from Debian (.ci/run installs
it when missing); on a machine without it the test is skipped, except in CI
(CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chainsim.model import ChainModel
from chainsim.plotting import region_network, region_tiles, stage_share_series

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_app_data_views_follow_the_model():
    model = ChainModel("lever_joint_targets", lever_joint_targets=0.5, weight_pressure=1.2, rng=3)
    for _ in range(6):
        model.step()
    series = stage_share_series(model)
    assert all(len(v) == 6 for v in series.values())
    tiles = region_tiles(model)
    assert len(tiles) == 35 and {s for _, s in tiles} <= {"coordinated", "middle", "little"}
    net = region_network(model, "Friesland")
    assert net.number_of_nodes() > 24 and all(0 <= d["trust"] <= 1 for *_, d in net.edges(data=True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url():
    port = free_port()
    exe = Path(sys.executable).with_name("chainsim")
    proc = subprocess.Popen([str(exe), "app", "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("chainsim app did not answer within 90 s")
    yield url
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


def test_browser_plays_selects_a_region_and_explains(app_url):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1400})
        page.goto(app_url, timeout=90_000)
        page.wait_for_selector("text=Regions by stage", timeout=90_000)
        plot = page.locator("img").first
        before = plot.get_attribute("src")
        assert page.get_by_text("Time: 0.0").count() == 1
        page.get_by_role("button", name="▶").click()
        page.wait_for_function("() => !document.body.innerText.includes('Time: 0.0')", timeout=60_000)
        page.wait_for_timeout(2000)
        page.get_by_role("button", name="⏸").click() if page.get_by_role("button", name="⏸").count() else None
        page.wait_for_timeout(1000)
        assert plot.get_attribute("src") != before          # the stage plot was redrawn
        page.get_by_role("button", name="Gooi en Vechtstreek").click()
        page.wait_for_selector("text=Why Gooi en Vechtstreek is where it is", timeout=60_000)
        assert "stage" in page.inner_text("body")
        (ROOT / "results").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "results" / "app_screenshot.png"), full_page=True)
        browser.close()
