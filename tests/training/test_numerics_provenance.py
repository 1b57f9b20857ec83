"""The numerics a generation ran under: journaled per invocation, one fingerprint in the table or none and why."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench_suite.numerics import current_fingerprint
from nasbench_suite.training.generate import _numerics_provenance
from nasbench_suite.training.journal import JobResult, Journal


def _job(cls: int) -> JobResult:
    return JobResult(cls, 0, "arch", np.zeros((1, 7)), 1.0, 1.0, 0.1, 0.5)


def test_one_fingerprint_is_recorded_once(tmp_path: Path) -> None:
    here = current_fingerprint(threads=1).to_dict()
    with Journal(tmp_path / "j.sqlite", {"a": 1}) as journal:
        assert journal.numerics() == []
        assert journal.record_numerics(here) == [here]
        again = {**here, "info": {"cpu": "another brand"}}  # information is not identity
        assert journal.record_numerics(again) == [here]
    with Journal(tmp_path / "j.sqlite", {"a": 1}) as journal:
        assert journal.numerics() == [here]
        assert _numerics_provenance(journal.numerics()) == {"numerics": here}


def test_a_generation_resumed_under_other_numerics_records_none(tmp_path: Path) -> None:
    here = current_fingerprint(threads=1).to_dict()
    other = {**here, "torch_cpu_capability": "FOREIGN"}
    with Journal(tmp_path / "j.sqlite", {"a": 1}) as journal:
        journal.record_numerics(here)
        assert journal.record_numerics(other) == [here, other]
        provenance = _numerics_provenance(journal.numerics())
    assert provenance["numerics"] is None and provenance["numerics_history"] == [here, other]
    assert "2 different numerics fingerprints" in provenance["numerics_note"]


def test_jobs_journaled_without_a_fingerprint_make_the_numerics_unknown(tmp_path: Path) -> None:
    here = current_fingerprint(threads=1).to_dict()
    with Journal(tmp_path / "j.sqlite", {"a": 1}) as journal:
        journal.commit(_job(0))  # finished by a release that recorded no fingerprint
        assert journal.numerics() == [None]
        assert journal.record_numerics(here) == [None, here]
        provenance = _numerics_provenance(journal.numerics())
    assert provenance["numerics"] is None and provenance["numerics_history"] == [None, here]
    assert "no numerics fingerprint was taken" in provenance["numerics_note"]
    with Journal(tmp_path / "k.sqlite", {"a": 1}) as journal:
        assert journal.record_numerics(None) == [None]  # jobs run on a cluster's machines
        assert _numerics_provenance(journal.numerics())["numerics"] is None
