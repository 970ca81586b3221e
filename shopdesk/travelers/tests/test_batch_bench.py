"""The batch benchmark scenario (bench/batch_travelers.py) runs and leaves nothing behind."""

from __future__ import annotations

from bench.batch_travelers import run
from shopdesk.jobs.models import Job
from shopdesk.parts.models import Part
from shopdesk.travelers.models import Traveler, TravelerBatch


def test_the_scenario_times_a_batch_and_rolls_it_back(shop, supervisor, work_centers):
    outcome = run(shop, supervisor, count=3)
    assert outcome["status"] == "ok", outcome
    assert outcome["released"] == 3 and outcome["pages"] == 3 and outcome["refused"] == 0
    assert outcome["total_s"] >= outcome["render_s"] > 0
    assert not Job.objects.exists() and not Part.objects.exists()
    assert not TravelerBatch.objects.exists() and not Traveler.objects.exists()
