"""Q3w, "Q3 walking" (``bench.run``): each request after another cursor, each measurement of a system
from a part of the list of its own, and every system at the same place."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench package, at the repository's root
from bench.load import variables_for
from bench.run import _walk_start, parse_args


def test_each_request_is_sent_after_the_next_cursor_wrapping_at_the_end() -> None:
    spec = {
        "kind": "cursors",
        "value": {"first": 50, "after": "last"},
        "cursors": ["a", "b", "c"],
        "start": 1,
    }
    sent = [variables_for(spec, number, "run")["after"] for number in range(4)]
    assert sent == ["b", "c", "a", "b"]
    assert variables_for(spec, 0, "run")["first"] == 50


def test_each_measurement_starts_in_a_part_of_the_list_of_its_own() -> None:
    args = parse_args(["--rounds", "3", "--concurrency", "1,8"])
    starts = [_walk_start(5_000, walked, args) for walked in range(6)]
    assert starts == [0, 833, 1666, 2499, 3332, 4165]
    assert _walk_start(5_000, 6, args) == 0  # a seventh (another run's operation list) starts over
