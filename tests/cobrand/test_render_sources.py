"""Kit sources hand out the kit's own files and nothing else."""

from __future__ import annotations

import pytest

from tcma.cobrand.render import FolderKitSource, KitFileNotFound, MappingKitSource
from tcma.storage import StorageNotFound
from tests.cobrand.support import FIXTURE_KIT, make_context, render


@pytest.mark.parametrize(
    "path", ["../kit.toml", "/etc/passwd", "media/../../x", "", "a\\b", "./kit.toml", "a//b"]
)
def test_folder_source_refuses_paths_escaping_the_kit(kit, path):
    with pytest.raises(KitFileNotFound):
        kit.read(path)


def test_folder_source_refuses_symlinks_leading_outside(tmp_path):
    folder = tmp_path / "kit"
    (folder / "media").mkdir(parents=True)
    (folder / "kit.toml").write_text('slug = "k"\n')
    (folder / "media" / "passwd.png").symlink_to("/etc/passwd")

    with pytest.raises(KitFileNotFound):
        FolderKitSource(folder).read("media/passwd.png")


def test_folder_source_reads_files_and_versions_by_content(tmp_path):
    folder = tmp_path / "kit"
    folder.mkdir()
    (folder / "kit.toml").write_text('slug = "k"\n')
    (folder / "a.html").write_text("one")
    first = FolderKitSource(folder)

    (folder / "a.html").write_text("two")
    second = FolderKitSource(folder)

    assert second.read("a.html") == b"two"
    assert first.version_key.startswith("k@")
    assert first.version_key != second.version_key
    assert FolderKitSource(folder, version_key="k@7").version_key == "k@7"


def test_mapping_source_serves_a_mapping_or_a_loader():
    from_mapping = MappingKitSource({"slug": "m"}, {"a.html": b"x"}, "m@1")

    def load(path: str) -> bytes:
        raise StorageNotFound(path)

    from_loader = MappingKitSource({"slug": "m"}, load, "m@1")

    assert from_mapping.read("a.html") == b"x"
    with pytest.raises(KitFileNotFound):
        from_mapping.read("b.html")
    with pytest.raises(KitFileNotFound):
        from_loader.read("a.html")
    with pytest.raises(KitFileNotFound):
        from_mapping.read("../a.html")


def test_mapping_source_renders_like_a_folder(kit):
    files = {
        p.relative_to(FIXTURE_KIT).as_posix(): p.read_bytes()
        for p in FIXTURE_KIT.rglob("*")
        if p.is_file()
    }
    stored = MappingKitSource(kit.manifest, files, "fixture-kit@stored")
    ctx = make_context()

    assert (
        render(stored, "invite-email", ctx, "eml").data.split(b"\n", 1)[0]
        == render(kit, "invite-email", ctx, "eml").data.split(b"\n", 1)[0]
    )
    assert render(stored, "social-posts", ctx, "json") == render(kit, "social-posts", ctx, "json")
