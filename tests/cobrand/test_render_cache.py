"""A second download of the same render costs one storage read."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from tcma.cobrand.render import CachedRenderer, FolderKitSource, render_bundle
from tcma.storage import StorageError
from tests.cobrand.support import FakeStorage, make_context, render


class CountingRenderer:
    """Wraps the in-process renderer and counts real renders."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()

    def __call__(self, source, asset_key, ctx, target):
        self.calls[(asset_key, target)] += 1
        return render(source, asset_key, ctx, target)


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


@pytest.fixture
def renderer() -> CountingRenderer:
    return CountingRenderer()


@pytest.fixture
def cached(storage, renderer) -> CachedRenderer:
    return CachedRenderer(storage, renderer=renderer)


def test_second_render_is_one_storage_read(cached, storage, renderer, kit, ctx):
    first = cached.render(kit, "datasheet", ctx, "pdf")
    storage.calls.clear()

    second = cached.render(kit, "datasheet", ctx, "pdf")

    assert second.data == first.data
    assert (second.filename, second.content_type) == (first.filename, first.content_type)
    assert storage.calls == Counter({"read": 1})
    assert renderer.calls[("datasheet", "pdf")] == 1


def test_result_is_stored_under_renders_sha256_with_the_target_extension(cached, storage, kit, ctx):
    key = cached.cache_key(kit, "launch-banner", ctx, "png")

    cached.render(kit, "launch-banner", ctx, "png")

    assert key.startswith("renders/") and key.endswith(".png")
    assert len(key.removeprefix("renders/").removesuffix(".png")) == 64
    assert list(storage.files) == [key]


@pytest.mark.parametrize(
    "change",
    [
        {"brand_version": "acme-brand@2"},
        {"fields": {"headline": "Another headline", "event_date": "2026-12-10"}},
        {"field_images": {"team_photo": b"\x89PNG other"}},
        {"campaign": {"code": "OTHER", "landing_url": "https://app.example/l/OTHER", "utm": {}}},
        {"brand_logo": b"\x89PNG another logo"},
        {"partner": {"name": "Renamed partner"}},
    ],
)
def test_changing_an_input_renders_anew(cached, renderer, kit, ctx, change):
    cached.render(kit, "datasheet", ctx, "pdf")

    cached.render(kit, "datasheet", dataclasses.replace(ctx, **change), "pdf")

    assert renderer.calls[("datasheet", "pdf")] == 2


def test_key_covers_kit_version_asset_and_target(cached, kit, ctx, tmp_path):
    other_version = FolderKitSource(kit.root, version_key="fixture-kit@2")
    keys = {
        cached.cache_key(kit, "datasheet", ctx, "pdf"),
        cached.cache_key(other_version, "datasheet", ctx, "pdf"),
        cached.cache_key(kit, "datasheet", ctx, "png"),
        cached.cache_key(kit, "launch-banner", ctx, "png"),
    }

    assert len(keys) == 4


def test_public_urls_matter_for_html_but_not_for_pdf(cached, kit, ctx):
    moved = dataclasses.replace(ctx, media_base_url="https://cdn.example/kit-media/")

    assert cached.cache_key(kit, "invite-email", ctx, "html") != cached.cache_key(
        kit, "invite-email", moved, "html"
    )
    assert cached.cache_key(kit, "datasheet", ctx, "pdf") == cached.cache_key(
        kit, "datasheet", moved, "pdf"
    )


def test_field_order_does_not_change_the_key(cached, kit):
    one = make_context(fields={"headline": "A", "event_date": "2026-12-10"})
    two = make_context(fields={"event_date": "2026-12-10", "headline": "A"})

    assert cached.cache_key(kit, "datasheet", one, "pdf") == cached.cache_key(
        kit, "datasheet", two, "pdf"
    )


def test_storage_failure_still_returns_the_render(renderer, kit, ctx):
    class BrokenStorage(FakeStorage):
        def read(self, key):
            raise StorageError("bucket unreachable")

        def put(self, key, data, content_type=""):
            raise StorageError("bucket unreachable")

    result = CachedRenderer(BrokenStorage(), renderer=renderer).render(kit, "datasheet", ctx, "pdf")

    assert result.content_type == "application/pdf"


def test_bundle_through_the_cache_renders_each_file_once(cached, renderer, kit, ctx):
    first = render_bundle(kit, ctx, renderer=cached)
    render_bundle(kit, ctx, renderer=cached)

    assert set(renderer.calls.values()) == {1}
    assert first.content_type == "application/zip"
