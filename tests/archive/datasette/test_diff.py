"""Version diffs: changed lines and the characters that changed in them."""
from nianbao.archive.datasette.diff import diff_texts


def test_diff_marks_changed_characters():
    d = diff_texts("一、总体情况\n栏目更新不够及时。\n二、其他", "一、总体情况\n栏目更新不够及时，已整改。\n二、其他")
    assert (d.added, d.removed) == (1, 1)
    added = [ln for h in d.hunks for ln in h.lines if ln.kind == "added"][0]
    assert ("，已整改", True) in added.pieces
    assert diff_texts("同样", "同样").unchanged
