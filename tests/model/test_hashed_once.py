"""A council's processes and stages are cache keys (their form classes): each is hashed once, by value."""
import copy
import pickle

from concord_westdunbartonshire import COUNCIL

from core.model.procedures import Process


def test_a_process_is_hashed_once_by_its_fields_and_a_copy_or_pickle_works_its_own_out():
    process = COUNCIL.processes[0]
    first = hash(process)
    assert process.__dict__["_hash"] == first and hash(process) == first
    for other in (copy.deepcopy(process), pickle.loads(pickle.dumps(process))):
        assert "_hash" not in other.__dict__, "a stored hash never travels: another process hashes strings differently"
        assert other == process and hash(other) == first and {process: 1}[other] == 1
    renamed = Process(**{**{f: getattr(process, f) for f in process.__dataclass_fields__}, "title": "Another"})
    assert renamed != process and hash(renamed) != first
