"""One person's live previews are limited; everyone else's pages and previews carry on."""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tcma.campaigns import rendering
from tcma.campaigns.models import Campaign
from tcma.cobrand.render import RenderBusy, RenderedFile
from tcma.kits.models import KitVersion
from tests.campaigns.support import png_bytes

PARALLEL = 6


class SlowRenders:
    """Stands in for the render pool: every render waits until the test lets it finish."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Semaphore(0)
        self.active = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, source, asset_key, ctx, target) -> RenderedFile:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        self.started.release()
        try:
            assert self.release.wait(30), "the test never let the render finish"
        finally:
            with self._lock:
                self.active -= 1
        return RenderedFile("preview.png", "image/png", png_bytes(10, 10))

    def wait_started(self, count: int) -> None:
        for _ in range(count):
            assert self.started.acquire(timeout=20), "a render did not start"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> SlowRenders:
    slow = SlowRenders()
    monkeypatch.setattr(rendering, "_render", slow)
    return slow


def test_live_previews_beyond_the_limit_get_429_and_pages_still_answer(
    app: Flask, login_as, campaign_a: Campaign, published_kit: KitVersion, renders: SlowRenders
) -> None:
    assert app.config["PREVIEWS_PER_USER"] == 2
    url = f"/campaigns/{campaign_a.id}/preview/launch-banner"

    def live_preview(n: int):
        return login_as("a_user").post(url, data={"field_headline": f"Typed quickly {n}"})

    with ThreadPoolExecutor(PARALLEL + 1) as executor:
        futures = [executor.submit(live_preview, n) for n in range(PARALLEL)]
        renders.wait_started(2)
        # The others are refused at once, while the two renders are still running.
        done: set = set()
        while len(done) < PARALLEL - 2:
            finished, _ = wait(set(futures) - done, timeout=20, return_when=FIRST_COMPLETED)
            assert finished, "a refused preview took more than 20 s to answer"
            done |= finished
        refused = [f.result() for f in done]
        assert len(refused) == PARALLEL - 2
        assert renders.active == 2 and not renders.release.is_set()
        for response in refused:
            assert response.status_code == 429
            assert response.headers["Retry-After"] == "2"
            assert "at most 2 at a time" in response.get_data(as_text=True)

        # Meanwhile the same person's pages answer, and another partner's preview renders.
        assert login_as("a_user").get("/campaigns/").status_code == 200
        assert login_as("a_user").get(f"/campaigns/{campaign_a.id}").status_code == 200
        other = executor.submit(
            lambda: login_as("b_user").post(
                f"/campaigns/new/preview/launch-banner?kit={published_kit.kit_id}",
                data={"field_headline": "Partner B typing"},
            )
        )
        renders.wait_started(1)
        assert renders.peak == 3

        renders.release.set()
        finished = [f.result(timeout=20) for f in futures if f not in done]
        assert [r.status_code for r in finished] == [200, 200]
        assert other.result(timeout=20).status_code == 200

    # The slots were given back: the next preview renders.
    assert live_preview(99).status_code == 200
    assert renders.peak == 3


def test_a_full_render_queue_answers_503_with_when_to_try_again(
    as_a_user: FlaskClient, campaign_a: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    def queue_full(*args) -> RenderedFile:
        raise RenderBusy("Rendering is busy right now; try again in a moment")

    monkeypatch.setattr(rendering, "_render", queue_full)
    response = as_a_user.post(
        f"/campaigns/{campaign_a.id}/preview/launch-banner", data={"field_headline": "Busy"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "Previews are busy right now" in response.get_data(as_text=True)
