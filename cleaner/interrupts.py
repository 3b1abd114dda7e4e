"""Ctrl-C and SIGTERM held back while code that would swallow them runs.

lxml's initialisation swallows an exception raised while it runs: a Ctrl-C that lands
during `import lxml.etree` was lost and the run went on.  Blocking the signal in the main
thread is not enough (numpy's BLAS threads do not block it, and Python runs the handler
in the main thread whichever thread received it), so the handlers themselves are swapped.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


TEARDOWN_LOGGERS = ("distributed", "tornado", "tornado.application", "asyncio")
"""Libraries that report, as errors, the work a stop cuts off (Dask's futures and workers).
Dask's logging config gives `tornado.application` a level of its own, so it is named too:
a stop that lands while `distributed.utils.sync` waits makes its cancel callback fail
inside tornado's loop, which logs the traceback there."""


def quiet_teardown() -> None:
    """The process is stopping: keep the error reports of work cut off by the stop off the
    terminal (they would bury the one line that says what happened)."""
    for name in TEARDOWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


class Stopped(KeyboardInterrupt):
    """A stop signal other than Ctrl-C (SIGTERM) raised as KeyboardInterrupt, so that every
    place that cleans up after Ctrl-C does after it too; `signum` says which, for the exit
    code (128 + signum)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


@contextmanager
def stop_signals_deferred() -> Iterator[None]:
    """Run the block with SIGINT and SIGTERM recorded instead of handled; a recorded signal
    is handled (its handler called: KeyboardInterrupt for Ctrl-C) when the block ends.
    Only the main thread can swap handlers; elsewhere, and for signals whose action is not
    a Python handler (ignored, or the default that ends the process), nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    handlers = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    handlers = {sig: h for sig, h in handlers.items() if callable(h)}
    for sig in handlers:
        signal.signal(sig, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(received):  # each signal handled once, in the order received
            handlers[sig](sig, None)
