"""Give every part its revisions and tie every job and traveler to one.

Before this, a part carried only a revision code. Each part's code becomes its released
revision; any other code a job was made to becomes a superseded revision of that part.
"""

from django.db import migrations
from django.utils import timezone


def link_revisions(apps, schema_editor):
    Part = apps.get_model("parts", "Part")
    PartRevision = apps.get_model("parts", "PartRevision")
    Job = apps.get_model("jobs", "Job")
    Traveler = apps.get_model("travelers", "Traveler")
    now = timezone.now()
    for part in Part.objects.iterator():
        codes = {part.revision or "A"} | set(
            Job.objects.filter(part=part).values_list("revision", flat=True).distinct()
        )
        by_code = {}
        for code in sorted(c for c in codes if c):
            current = code == (part.revision or "A")
            by_code[code] = PartRevision.objects.create(
                shop_id=part.shop_id,
                part=part,
                code=code,
                status="released" if current else "superseded",
                created_at=part.created_at,
                released_at=part.created_at,
                superseded_at=None if current else now,
                note="Carried over from the part's revision code.",
            )
        for code, revision in by_code.items():
            Job.objects.filter(part=part, revision=code).update(part_revision=revision)
            Traveler.objects.filter(job__part=part, revision=code).update(part_revision=revision)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0004_revisions_material_labor"),
        ("parts", "0002_revisions_and_documents"),
        ("travelers", "0002_revision_and_batches"),
    ]

    operations = [migrations.RunPython(link_revisions, migrations.RunPython.noop)]
