"""The transaction benchmark runs and reports one row per table size, ratios to the empty one."""

from __future__ import annotations

from benchmarks.transactions import measure, render


def test_the_benchmark_measures_every_size_and_renders_ratios_to_the_first() -> None:
    rows = measure([0, 50], runs=2)

    assert [size for size, _, _ in rows] == [0, 50]
    assert all(ours > 0 and theirs > 0 for _, ours, theirs in rows)
    table = render(rows)
    assert table.splitlines()[2].startswith("| 0 | ")
    assert "| 1.00 |" in table.splitlines()[2]
    assert table.splitlines()[3].startswith("| 50 | ")
