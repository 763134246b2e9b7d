"""Slow work steps aside for first answers (resnext_app.priority)."""

import threading
import time

from resnext_app.priority import AnswersFirst


def test_slow_work_waits_for_pending_answers_and_resumes_when_they_end():
    gate = AnswersFirst()
    assert gate.step_aside(limit=1.0) < 0.05  # nobody waiting: no wait
    started, release = threading.Event(), threading.Event()

    def answer():
        with gate.answering():
            started.set()
            release.wait()

    worker = threading.Thread(target=answer)
    worker.start()
    started.wait()
    assert gate.pending == 1
    threading.Timer(0.3, release.set).start()
    waited = gate.step_aside(limit=5.0)
    worker.join()
    assert 0.25 < waited < 2.0 and gate.pending == 0


def test_the_wait_is_bounded_so_slow_work_is_never_starved():
    gate = AnswersFirst()
    with gate.answering():
        start = time.perf_counter()
        waited = gate.step_aside(limit=0.2)
    assert 0.19 < waited < 1.0 and time.perf_counter() - start < 1.0
    assert gate.pending == 0


def test_switched_off_it_never_waits():
    gate = AnswersFirst(enabled=False)
    with gate.answering():
        assert gate.step_aside(limit=1.0) == 0.0
