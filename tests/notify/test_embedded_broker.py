"""The embedded (in-process) broker: one process, one watcher of its messages' time limit, however many apps."""
import threading

from dramatiq.middleware import TimeLimit

from core.notify.queue import make_broker


def test_making_apps_does_not_leave_a_thread_behind_for_each(make_app):
    make_app()  # the process's one time-limit watcher is started by the first, if no test has yet
    before = threading.active_count()
    for _ in range(5):
        make_app()
    assert threading.active_count() == before


def test_every_embedded_broker_still_limits_the_time_a_message_may_take():
    limits = [next(m for m in make_broker(None).middleware if isinstance(m, TimeLimit)) for _ in range(2)]
    assert limits[0] is limits[1] and limits[0].manager.is_alive()
