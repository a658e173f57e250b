"""The browser app: its data views without a browser, then driven the way a student uses it.

The data tests check the tile map's layout and stages, the settings behind
the sidebar, the step guard at the last month and the comparison with the
baseline. The page tests render it in two of Solara's kernel contexts (two
browser sessions, each with its own model) and play it to the last month.
The browser test (Playwright with Debian's Chromium) starts
``chainsim app`` on a free localhost port and checks: no "Page 0" tab, a
slider showing its value and the page saying that changes apply on RESET,
35 tiles with full names on hover and a stage legend, STEP, a click on a
tile selecting the region, the comparison with the baseline, and PLAY
stopping at the last month. It saves screenshots to
``results/app_screenshots/`` (git-ignored). Chromium comes from Debian
(.ci/run installs it when missing); on a machine without it the test is
skipped, except in CI (CI=true), where a missing browser is a failure.
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

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from chainsim import app
from chainsim.core.measurement import STAGES
from chainsim.core.parameters import SPECS
from chainsim.core.regions import load_borders, load_regions
from chainsim.model import LEVER_PREFIX, ChainModel
from chainsim.plotting import (
    NOT_SIMULATED,
    baseline_comparison_data,
    plot_baseline_comparison,
    plot_region_network,
    plot_region_tile_map,
    region_network,
    region_tile_layout,
    region_tile_map,
    region_tiles,
    stage_share_series,
)
from chainsim.runner import replication_seeds
from chainsim.scenario import load_scenario, shipped_scenarios

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "results" / "app_screenshots"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# --- without a browser ------------------------------------------------------------
def test_app_data_views_follow_the_model():
    model = ChainModel("lever_joint_targets", lever_joint_targets=0.5, weight_pressure=1.2, rng=3)
    assert set(region_tile_map(model)["stage"]) == {NOT_SIMULATED}
    for _ in range(6):
        model.step()
    series = stage_share_series(model)
    assert all(len(v) == 6 for v in series.values())
    tiles = region_tiles(model)
    assert len(tiles) == 35 and {s for _, s in tiles} <= set(STAGES)
    tile_map = region_tile_map(model)
    assert dict(zip(tile_map["name"], tile_map["stage"])) == dict(tiles)
    net = region_network(model, "Friesland")
    assert net.number_of_nodes() > 24 and all(0 <= d["trust"] <= 1 for *_, d in net.edges(data=True))


def test_tile_map_is_the_35_regions_laid_out_like_the_netherlands():
    tiles = region_tile_layout()
    regions = {r.code: r.name for r in load_regions()}
    assert dict(zip(tiles["code"], tiles["name"])) == regions
    assert not tiles.duplicated(["row", "col"]).any()
    assert tiles["basis"].str.startswith("approximate hand layout").all()
    assert (tiles["label"].str.len() <= 14).all()
    at = {row.code: (row.row, row.col) for row in tiles.itertuples()}

    def touch(a, b):
        return max(abs(at[a][0] - at[b][0]), abs(at[a][1] - at[b][1])) <= 1

    apart = [(a, b) for a, b in load_borders() if not touch(a, b)]
    assert len(apart) <= 5, apart                       # 71 of the 76 borders shared on the grid
    for a, b in apart:                                  # and the basis column names the rest
        for code, other in ((a, b), (b, a)):
            assert regions[other] in tiles.set_index("code").loc[code, "basis"]
    code = {name: c for c, name in regions.items()}
    row = {name: at[code[name]][0] for name in regions.values()}
    col = {name: at[code[name]][1] for name in regions.values()}
    assert max(row[n] for n in ("Groningen", "Friesland", "Drenthe")) <= 1          # the north on top
    assert row["Zeeland"] >= 7 and col["Zeeland"] <= 1                              # Zeeland bottom left
    assert row["Zuid-Limburg"] == max(row.values()) and col["Zuid-Limburg"] >= 4    # Zuid-Limburg at the bottom
    assert row["Noord-Holland Noord"] < row["Groot Amsterdam"] < row["Rijnmond"]
    assert col["Noord-Holland Noord"] < col["Flevoland"] < col["Twente"]


def test_figures_have_their_legends():
    model = ChainModel(rng=1)
    model.step()
    fig = Figure()
    ax = plot_region_tile_map(region_tile_map(model), selected="Zeeland", ax=fig.subplots())
    assert len(ax.patches) >= 35 and ax.get_legend() is not None
    assert len(ax.texts) == 35
    fig = Figure()
    ax = plot_region_network(model, "Zeeland", ax=fig.subplots())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("UWV") for label in labels) and any("centre" in label for label in labels)
    assert len(fig.axes) == 2 and "trust" in fig.axes[1].get_xlabel()           # the colour bar of trust


def test_controls_are_the_model_settings_and_apply_on_reset():
    names = app.control_names()
    assert names[:2] == ["scenario", "seed"] and len(names) == len(set(names))
    for name in names[2:]:
        assert name.startswith(LEVER_PREFIX) or name in SPECS
    assert "seed" not in SPECS and "scenario" not in SPECS and not any(n.startswith(LEVER_PREFIX) for n in SPECS)
    plain = [name for name in shipped_scenarios() if load_scenario(name).start_from is None]   # both eras
    assert app.scenario_names() == sorted(plain)
    assert "netherlands_2012" in plain and "werkpleinen_2005" in plain and "netherlands_2005_2016" not in plain
    with pytest.raises(ValueError, match="unknown scenario"):
        app.build_model({**app.default_settings(), "scenario": "../../etc/passwd"})
    defaults = app.default_settings()
    assert app.model_kwargs(defaults) == ("netherlands_2012", {"rng": 0})
    # An untouched parameter keeps the scenario's own value, not the slider's rounding of it.
    assert app.build_model(defaults).params == ChainModel("netherlands_2012", rng=0).params
    assert app.pending_changes(defaults, defaults) == []
    changed = {**defaults, "lever_joint_targets": 0.3, "weight_trust": 1.5,
               "weight_belief": round(defaults["weight_belief"], 2)}        # moved, but back to what it shows
    assert app.pending_changes(changed, defaults) == ["lever joint_targets 0.0 → 0.3",
                                                      f"weight_trust {defaults['weight_trust']:.2f} → 1.50"]
    model = app.build_model(changed)
    assert model.params.weight_trust == 1.5 and model.params.weight_belief == defaults["weight_belief"]
    schedule = model.world.interventions[0]
    assert [(lv.kind, lv.strength, str(lv.start)) for lv in schedule.levers] == [("joint_targets", 0.3, "2013-01")]


def test_step_stops_at_the_last_month():
    model = app.build_model(app.default_settings())
    steps = 0
    while app.advance(model):
        steps += 1
    assert steps == model.calendar.n_months == model.t and not model.running
    assert not app.advance(model) and model.t == model.calendar.n_months


def test_compare_with_baseline_uses_the_same_seeds():
    settings = {**app.default_settings(seed=4), "lever_joint_targets": 1.0}
    done = []
    data = app.compare_with_baseline(settings, replications=2, progress=done.append)
    assert done == [1, 2]
    months = data["month"].nunique()
    assert months == 60 and set(data["series"]) == {"baseline", "what-if", "difference"}
    seed_seq = replication_seeds(4, 2)[1]
    rerun = ChainModel("netherlands_2012", rng=np.random.default_rng(seed_seq)).run()
    assert rerun.t == 60
    wide = data.pivot(index="month", columns="series", values="mean")
    assert np.allclose(wide["difference"], wide["what-if"] - wide["baseline"])
    assert wide["difference"].abs().max() > 0
    # paired: before the lever starts (a year after the start) the two runs are the same, month by month
    assert (wide.loc[wide.index < pd.Timestamp(2013, 1, 1), "difference"] == 0).all()
    assert wide["what-if"].iloc[-1] == pytest.approx(np.mean([
        app.coordinated_share(ChainModel("netherlands_2012", rng=s, lever_joint_targets=1.0).run())[-1]
        for s in replication_seeds(4, 2)]))
    assert "observation month (2014-11)" in app.comparison_summary(data)
    same = app.compare_with_baseline(app.default_settings(seed=4), replications=2)
    difference = same[same["series"] == "difference"]
    assert (difference["mean"] == 0).all() and difference[["low", "high"]].isna().all().all()   # no spread
    assert "0 in all 2 replications: by this month the what-if leaves the number of coordinated regions the " \
        "same in every replication" in app.comparison_summary(same)
    assert "-0.00" not in app.comparison_summary(same)
    fig = Figure()
    top, bottom = plot_baseline_comparison(data, ax=fig.subplots(2, 1))
    assert len(top.get_lines()) == 2 and bottom.get_legend() is not None
    with pytest.raises(ValueError, match="replications x 60 months"):
        baseline_comparison_data(rerun.calendar.months, np.zeros((2, 60)), np.zeros((3, 60)))


# --- the page in Solara's kernel contexts (no browser) -----------------------------
@pytest.fixture
def sessions():
    """Two browser sessions as Solara's server keeps them: a kernel context each, closed afterwards."""
    import solara.server.app  # noqa: F401  (Solara's per-kernel patches, as in the server)
    from solara.server import kernel, kernel_context

    made = [kernel_context.VirtualKernelContext(id=f"kernel-{n}", kernel=kernel.Kernel(), session_id=f"session-{n}")
            for n in "ab"]
    yield made
    for context in made:
        context.close()


def render_page(context):
    """The app's page rendered in ``context`` (in Solara's app layout, which holds the sidebar)."""
    import solara

    with context:
        return solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)[1]


def month_status(rc) -> str:
    import ipyvuetify as v

    return rc.find(v.Html, class_="month-status").widget.children[0]


def recording_builds(monkeypatch, months_left: int | None = None) -> list:
    """Record every model the page builds (RESET and first render); optionally start it near its end."""
    built, build = [], app.build_model

    def recorded(settings):
        model = build(settings)
        while months_left is not None and model.t < model.calendar.n_months - months_left:
            model.step()
        built.append(model)
        return model

    monkeypatch.setattr(app, "build_model", recorded)
    return built


def test_each_browser_session_has_its_own_model(sessions, monkeypatch):
    import ipyvuetify as v

    built = recording_builds(monkeypatch)
    a, b = sessions
    rc_a, rc_b = render_page(a), render_page(b)
    assert len(built) == 2 and built[0] is not built[1]
    with a:
        for _ in range(2):
            rc_a.find(v.Btn, children=["Step"]).widget.click()
        assert month_status(rc_a) == "Month 2 of 60 simulated (2012-02)."
        rc_a.find(v.Slider, max=app.SEED_MAX).widget.v_model = 5          # the seed, in session a only
        assert "seed 0 → 5" in rc_a.find(v.Alert, class_="pending-changes").widget.children[0]
    with b:
        assert month_status(rc_b) == "Month 0 of 60: press STEP or PLAY to simulate 2012-01."
        assert not rc_b.find(v.Alert, class_="pending-changes").widgets
    assert [m.t for m in built] == [2, 0]
    with a:
        rc_a.find(v.Btn, children=["Reset"]).widget.click()
    assert len(built) == 3 and built[2].t == 0 and built[2] is not built[1]
    with b:
        rc_b.find(v.Btn, children=["Step"]).widget.click()
        assert month_status(rc_b) == "Month 1 of 60 simulated (2012-01)."
    assert [m.t for m in built] == [2, 1, 0]
    assert built[1].rng is not built[2].rng and built[1].rng is not built[0].rng


def test_play_and_step_stop_at_the_last_month_of_the_page(sessions, monkeypatch):
    import ipyvuetify as v

    built = recording_builds(monkeypatch, months_left=3)
    a = sessions[0]
    rc = render_page(a)
    (model,) = built
    with a:
        assert month_status(rc) == "Month 57 of 60 simulated (2016-09)."
        rc.find(v.Slider, max=1000).widget.v_model = 50                      # play speed: 50 ms a month
        rc.find(v.Btn, children=["▶ Play"]).widget.click()
        rc.find(v.Btn, children=["▶ Play"], disabled=True).wait_for(timeout=40)
        assert month_status(rc) == "Month 60 of 60 simulated (2016-12)."
        assert rc.find(v.Btn, children=["Step"]).widget.disabled
        assert rc.find(v.Alert, class_="run-ended").widgets
        assert model.t == model.calendar.n_months == 60 and not model.running
        rc.find(v.Btn, children=["Step"]).widget.click()                     # disabled in the browser; and here:
        rc.find(v.Btn, children=["▶ Play"]).widget.click()
        time.sleep(0.3)
        assert model.t == 60 and month_status(rc) == "Month 60 of 60 simulated (2016-12)."


# --- in the browser ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, out) -> subprocess.Popen:
    """`chainsim app` on ``port``, once it answers (fails the test after 90 s)."""
    exe = Path(sys.executable).with_name("chainsim")
    proc = subprocess.Popen([str(exe), "app", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, 9)
    pytest.fail("chainsim app did not answer within 90 s")


@pytest.fixture
def app_url(tmp_path):
    port = free_port()
    log = tmp_path / "app.log"
    with log.open("w") as out:
        proc = start_app(port, out)
    yield f"http://127.0.0.1:{port}/", log
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


def _slider(page, label: str):
    """The slider whose value label starts with ``label:``."""
    box = page.locator(".value-slider").filter(has=page.locator(".control-label", has_text=f"{label}:"))
    return box.locator(".control-label").first, box.get_by_role("slider").first


def test_browser_student_session(app_url):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import expect, sync_playwright

    url, log = app_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # Tall enough for the whole page in one screenshot (Solara scrolls inside its layout).
        page = browser.new_page(viewport={"width": 1600, "height": 2300})
        page.goto(url, timeout=90_000)
        page.wait_for_selector("text=Regions by stage", timeout=90_000)
        page.wait_for_timeout(500)

        # No "Page 0": one page, no tabs; every card has a title that says what it shows.
        body = page.inner_text("body")
        assert "page 0" not in body.lower() and page.get_by_role("tab").count() == 0
        for title in ("Run month by month", "Settings", "Share of regions per stage", "Inside Friesland",
                      "Why Friesland is where it is", "Compare with baseline"):
            assert title in body, title
        assert "Changes apply when you press RESET" in body

        # The tile map: 35 tiles with the full name on hover, and a stage legend.
        tiles = page.locator(".region-tile")
        assert tiles.count() == 35
        titles = [tiles.nth(i).get_attribute("title") for i in range(35)]
        assert {t.split(" (AM")[0] for t in titles} == {r.name for r in load_regions()}
        tile = page.locator('[data-region="Stedendriehoek en Noordwest Veluwe"]')
        tile.hover()
        assert tile.get_attribute("title").startswith("Stedendriehoek en Noordwest Veluwe (AM06)")
        assert tile.inner_text().strip() == "Stedendriehoek"
        expect(page.locator(".stage-legend")).to_contain_text(f"{NOT_SIMULATED} (35)")
        page.screenshot(path=str(SCREENSHOTS / "01_start.png"), full_page=True)

        # Every slider shows its value; a change says that it applies on RESET, and RESET applies it.
        label, slider = _slider(page, "joint_targets")
        expect(label).to_have_text("joint_targets: 0.0")
        from chainsim.core.parameters import Parameters
        expect(_slider(page, "weight_trust")[0]).to_have_text(f"weight_trust: {Parameters().weight_trust:.2f}")
        for i in range(page.locator(".control-label").count()):
            assert page.locator(".control-label").nth(i).inner_text().split(": ")[1].strip()
        slider.focus()
        slider.press("ArrowRight")
        slider.press("ArrowRight")
        expect(label).to_have_text("joint_targets: 0.2")
        expect(page.locator(".pending-changes")).to_contain_text("lever joint_targets 0.0 → 0.2")
        expect(page.locator(".pending-changes")).to_contain_text("apply when you press RESET")
        page.screenshot(path=str(SCREENSHOTS / "02_changed_setting.png"), full_page=True)
        page.get_by_role("button", name="Reset").click()
        expect(page.locator(".pending-changes")).to_have_count(0)
        expect(page.locator(".apply-note")).to_be_visible()
        assert "Traceback" not in page.inner_text("body")      # Mesa's SolaraViz failed here (scenario clash)

        # STEP advances a month and recolours the tiles; a click on a tile selects the region.
        plot = page.locator("img").first
        before = plot.get_attribute("src")
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".month-status")).to_have_text("Month 1 of 60 simulated (2012-01).")
        expect(page.locator(".stage-legend")).not_to_contain_text(NOT_SIMULATED)
        assert plot.get_attribute("src") != before
        page.locator('[data-region="Gooi en Vechtstreek"]').click()
        page.wait_for_selector("text=Inside Gooi en Vechtstreek", timeout=30_000)
        page.wait_for_selector("text=Why Gooi en Vechtstreek is where it is", timeout=30_000)
        assert "stage" in page.inner_text("body")
        page.screenshot(path=str(SCREENSHOTS / "03_step_and_region.png"), full_page=True)
        page.locator(".tile-map").screenshot(path=str(SCREENSHOTS / "03b_tile_map.png"))

        # Compare with baseline: the same seeds, a figure and the paired difference in words.
        page.get_by_role("button", name="Compare with baseline").click()
        page.wait_for_selector(".compare-summary", timeout=90_000)
        summary = page.locator(".compare-summary").inner_text()
        assert "baseline" in summary and "difference" in summary and "95% CI" in summary
        assert "joint_targets 0.2" in page.inner_text("body")
        page.screenshot(path=str(SCREENSHOTS / "04_compare_with_baseline.png"), full_page=True)
        page.locator(".compare-card").screenshot(path=str(SCREENSHOTS / "04b_compare_card.png"))

        # PLAY runs to the last month and stops there; STEP and PLAY are then disabled.
        speed_label, speed = _slider(page, "play speed (ms per month)")
        speed.focus()
        speed.press("Home")
        expect(speed_label).to_have_text("play speed (ms per month): 50")
        page.get_by_role("button", name="▶ Play").click()
        page.wait_for_selector(".run-ended", timeout=90_000)
        expect(page.locator(".month-status")).to_have_text("Month 60 of 60 simulated (2016-12).")
        expect(page.get_by_role("button", name="Step")).to_be_disabled()
        expect(page.get_by_role("button", name="▶ Play")).to_be_disabled()
        page.wait_for_timeout(500)
        expect(page.locator(".month-status")).to_have_text("Month 60 of 60 simulated (2016-12).")
        page.screenshot(path=str(SCREENSHOTS / "05_last_month.png"), full_page=True)
        assert "Traceback" not in page.inner_text("body")
        browser.close()
    server_log = log.read_text()
    assert "Traceback" not in server_log, server_log[-3000:]
    print(f"screenshots in {SCREENSHOTS}")


def test_stopping_chainsim_app_stops_its_server():
    """SIGTERM to `chainsim app` (not to its process group) leaves no server behind on the port."""
    port = free_port()
    proc = start_app(port, subprocess.DEVNULL)
    try:
        proc.terminate()
        proc.wait(timeout=30)
        time.sleep(0.5)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    finally:
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
