"""`flowlogic layout follow` ends on SIGTERM or Ctrl-C by setting its stop event (the follower
finishes the page in hand and saves its checkpoint) instead of dying mid-page."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from infra.layout_follow import stopping_on_signals


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_sets_the_stop_event_and_the_handlers_come_back(number: int) -> None:
    before = signal.getsignal(number)
    stop = threading.Event()

    with stopping_on_signals(stop):
        os.kill(os.getpid(), number)
        assert stop.wait(5)

    assert signal.getsignal(number) is before
