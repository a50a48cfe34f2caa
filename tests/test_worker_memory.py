"""The malloc tuning `stationmap serve` applies in each worker, in real processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import resource, sys
import numpy as np
from stationmap.web.worker_memory import keep_freed_memory
tuned = keep_freed_memory() if sys.argv[1] == "tuned" else None
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):  # a national view: several 1.4 MB columns alive at once, then freed
    temporaries = [np.ones(173_000) for _ in range(8)]
    del temporaries
print(tuned, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _page_faults(mode: str) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    tuned, faults = done.stdout.split()
    return tuned, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_large_temporaries_reuse_their_pages_once_tuned():
    untuned_flag, untuned = _page_faults("untuned")
    tuned_flag, tuned = _page_faults("tuned")
    assert (untuned_flag, tuned_flag) == ("None", "True")
    # untuned, the freed heap top goes back to the kernel and is faulted in again
    # each time (about 8 x 340 pages); tuned, the first round's pages are reused
    assert untuned > 50 * 1_000
    assert tuned < untuned / 10
