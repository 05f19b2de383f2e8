"""Every link inside the built site leads somewhere: the file exists and so does the anchor."""

from __future__ import annotations

from generator.links import broken_links


def test_every_internal_link_and_anchor_resolves(built_site):
    assert broken_links(built_site / "site") == []


def test_links_resolve_in_a_single_policy_site_too(built_site, tmp_path):
    import zipfile

    with zipfile.ZipFile(built_site / "dist" / "handbook-moriyama.zip") as archive:
        archive.extractall(tmp_path)
    assert broken_links(tmp_path / "moriyama") == []
