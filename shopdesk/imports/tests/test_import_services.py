"""Importing a shop's own data: a clean import, re-import changes nothing, a file full of
mistakes is reported line by line with nothing written, tenancy and roles."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from shopdesk.core.errors import PermissionRefused
from shopdesk.core.models import Event
from shopdesk.core.tests.factories import CustomerFactory
from shopdesk.customers.models import Customer
from shopdesk.imports.services import import_file
from shopdesk.jobs.models import Job, JobStage, JobState, Operation, WorkCenter
from shopdesk.parts.models import Part, PartRevision, RevisionStatus


def csv_file(text: str, name: str = "data.csv") -> tuple[str, bytes]:
    return name, text.strip().encode()


CUSTOMERS = """
Customer Code,Name,Email
NWP,Northwind Pumps,orders@northwind.example
ACM,Acme Hydraulics,
"""

WORK_CENTERS = """
Work center;Kind;Hours per day;Active
Saw;saw;8;yes
CNC Mill 1;CNC mill;16;yes
Inspection;inspection;8;no
"""

PARTS = """
part number,rev,description,customer code,revision status
NP-220,A,Pump housing,NWP,superseded
NP-220,B,Pump housing,NWP,released
AH-10,A,Valve body,ACM,
"""

JOBS = """
Job #,Customer,Part,Qty,Due date,PO,Priority,Material status
J-5001,NWP,NP-220,100,2030-03-15,PO-1,high,from stock
5002,ACM,AH-10,20,03/20/2030,PO-2,,
5003,nwp,NP-220,5,15.04.2030,,hot,ordered
"""

ROUTING = """
Job,Seq,Work center,Operation,Setup minutes,Run minutes
J-5001,10,Saw,Cut,15,1.5
J-5001,20,CNC Mill 1,Mill,60,4
J-5001,30,Inspection,,0,0.5
5002,10,cnc mill 1,,30,2
"""


def load_catalog(user) -> None:
    for kind, text in (("customers", CUSTOMERS), ("work-centers", WORK_CENTERS), ("parts", PARTS)):
        report = import_file(user=user, kind=kind, file=csv_file(text), dry_run=False)
        assert report.applied, report.as_dict()


def test_clean_import_of_every_kind(supervisor, shop):
    load_catalog(supervisor)
    report = import_file(
        user=supervisor,
        kind="jobs",
        file=csv_file(JOBS, "jobs.csv"),
        routing=csv_file(ROUTING, "routing.csv"),
        dry_run=False,
    )
    assert report.applied and report.problems == []
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)

    assert Customer.objects.get(shop=shop, code="NWP").email == "orders@northwind.example"
    inspection = WorkCenter.objects.get(shop=shop, name="Inspection")
    assert inspection.active is False
    assert WorkCenter.objects.get(shop=shop, name="CNC Mill 1").hours_per_day == Decimal("16.0")
    part = Part.objects.get(shop=shop, number="NP-220")
    assert part.revision == "B"
    assert dict(part.revisions.values_list("code", "status")) == {
        "A": RevisionStatus.SUPERSEDED,
        "B": RevisionStatus.RELEASED,
    }

    job = Job.objects.get(shop=shop, number=5001)
    assert job.state == JobState.PLANNED and job.stage == JobStage.PLANNED
    assert job.revision == "B" and job.part_revision.code == "B"
    assert job.due_date == datetime.date(2030, 3, 15)
    assert job.priority == 3 and job.material_status == "from_stock"
    assert list(job.operations.values_list("sequence", "name", "work_center__name")) == [
        (1, "Cut", "Saw"),
        (2, "Mill", "CNC Mill 1"),
        (3, "Inspection", "Inspection"),
    ]
    # The derived fields are the services' own.
    assert job.operations_total == 3 and job.current_work_center.name == "Saw"
    assert job.current_operation.name == "Cut"
    assert job.work_days_left > 0
    assert Job.objects.get(shop=shop, number=5002).due_date == datetime.date(2030, 3, 20)
    assert Job.objects.get(shop=shop, number=5003).due_date == datetime.date(2030, 4, 15)
    assert Event.objects.filter(job=job, kind="job.created").count() == 1
    assert Event.objects.filter(shop=shop, kind="import.applied").count() == 4
    # New jobs made by hand afterwards continue after the imported numbers.
    shop.refresh_from_db()
    assert shop.next_job_number == 5004


def test_reimport_changes_nothing_and_updates_by_key(supervisor, shop):
    load_catalog(supervisor)
    jobs = ("jobs.csv", JOBS.strip().encode())
    routing = ("routing.csv", ROUTING.strip().encode())
    import_file(user=supervisor, kind="jobs", file=jobs, routing=routing, dry_run=False)
    counts = (
        Customer.objects.count(),
        WorkCenter.objects.count(),
        PartRevision.objects.count(),
        Job.objects.count(),
        Operation.objects.count(),
        Event.objects.count(),
    )

    for kind, text in (("customers", CUSTOMERS), ("work-centers", WORK_CENTERS), ("parts", PARTS)):
        again = import_file(user=supervisor, kind=kind, file=csv_file(text), dry_run=False)
        assert (again.created, again.updated) == (0, 0), again.as_dict()
    again = import_file(user=supervisor, kind="jobs", file=jobs, routing=routing, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert counts == (
        Customer.objects.count(),
        WorkCenter.objects.count(),
        PartRevision.objects.count(),
        Job.objects.count(),
        Operation.objects.count(),
        Event.objects.count(),
    )

    # A changed quantity and run time update the job in place, through the services.
    changed = import_file(
        user=supervisor,
        kind="jobs",
        file=csv_file(JOBS.replace("J-5001,NWP,NP-220,100", "J-5001,NWP,NP-220,120")),
        routing=csv_file(ROUTING.replace("Mill,60,4", "Mill,60,3.5")),
        dry_run=False,
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    job = Job.objects.get(shop=shop, number=5001)
    assert job.quantity == 120
    assert job.operations.get(sequence=2).run_minutes == Decimal("3.50")
    assert Job.objects.count() == counts[3] and Operation.objects.count() == counts[4]
    assert Event.objects.filter(job=job, kind="job.updated").count() == 1
    assert Event.objects.filter(job=job, kind="operation.updated").count() == 1


MISTAKES_JOBS = """
job_number,customer_code,part_number,revision,quantity,due_date,customer_po,priority,material_status,owner,status
J-6001,NWP,NP-220,,100,2030-03-15,,,,,
J-6001,NWP,NP-220,,100,2030-03-15,,,,,
J-ABC,NWP,NP-220,,1,2030-01-01,,,,,
J-6003,ZZZ,NP-220,,1,2030-01-01,,,,,
J-6004,NWP,NO-SUCH,,1,2030-01-01,,,,,
J-6005,NWP,NP-220,Q,1,2030-01-01,,,,,
J-6006,NWP,NP-220,,0,2030-01-01,,,,,
J-6007,NWP,NP-220,,2.5,2030-01-01,,,,,
J-6008,NWP,NP-220,,TRUE,2030-01-01,,,,,
J-6009,NWP,NP-220,,1,31/31/2030,,,,,
J-6010,NWP,NP-220,,1,1999-12-31,,,,,
J-6011,NWP,NP-220,,1,2030-01-01,,urgentest,,,
J-6012,NWP,NP-220,,1,2030-01-01,,,maybe,,
J-6013,NWP,NP-220,,1,2030-01-01,,,,nobody,
J-6014,NWP,NP-220,,1,2030-01-01,,,,,shipped
J-6015,NWP,NP-220,,1,2030-01-01,"=cmd|' /C calc'!A0",,,,
,NWP,NP-220,,1,2030-01-01,,,,,
J-6017,,NP-220,,1,2030-01-01,,,,,
J-6018,NWP,NP-220,,1,2030-01-01,,,,,released
"""

MISTAKES_ROUTING = """
job_number,sequence,work_center,setup_minutes,run_minutes
J-6001,10,Saw,5,1
J-6001,10,Saw,5,1
J-6001,20,Saw,-5,1
J-6001,25,Laser,5,1
J-7777,10,Saw,5,1
J-6001,30,Saw,5,abc
"""


def test_dry_run_reports_twenty_kinds_of_mistakes_by_line_and_column(office, shop):
    load_catalog(office)
    before = (Job.objects.count(), Operation.objects.count(), Event.objects.count())
    for dry_run in (True, False):
        report = import_file(
            user=office,
            kind="jobs",
            file=csv_file(MISTAKES_JOBS, "jobs.csv"),
            routing=csv_file(MISTAKES_ROUTING, "routing.csv"),
            dry_run=dry_run,
        )
        assert not report.applied
        found = {(p.sheet, p.line, p.column): p.message for p in report.problems}
        expected = {
            ("jobs.csv", 3, "job_number"): "also on line 2",
            ("jobs.csv", 4, "job_number"): "looks like 1042",
            ("jobs.csv", 5, "customer_code"): "No customer with code ZZZ",
            ("jobs.csv", 6, "part_number"): "No part NO-SUCH",
            ("jobs.csv", 7, "revision"): "has no revision Q",
            ("jobs.csv", 8, "quantity"): "from 1",
            ("jobs.csv", 9, "quantity"): "whole number, found '2.5'",
            ("jobs.csv", 10, "quantity"): "whole number",
            ("jobs.csv", 11, "due_date"): "Not a date",
            ("jobs.csv", 12, "due_date"): "between 2000 and 2100",
            ("jobs.csv", 13, "priority"): "Unknown priority",
            ("jobs.csv", 14, "material_status"): "Unknown material status",
            ("jobs.csv", 15, "owner"): "No one in this shop",
            ("jobs.csv", 16, "status"): "Unknown status",
            ("jobs.csv", 17, "customer_po"): "formula",
            ("jobs.csv", 18, "job_number"): "required",
            ("jobs.csv", 19, "customer_code"): "needs a customer code",
            ("jobs.csv", 20, "status"): "Only a supervisor or the owner",
            ("routing.csv", 3, "sequence"): "also on line 2",
            ("routing.csv", 4, "setup_minutes"): "from 0",
            ("routing.csv", 5, "work_center"): "No work center named Laser",
            ("routing.csv", 6, "job_number"): "neither in the jobs table",
            ("routing.csv", 7, "run_minutes"): "Expected a number",
        }
        for where, words in expected.items():
            assert where in found, f"{where} not reported; got {sorted(found)}"
            assert words in found[where], (where, found[where])
        assert len(expected) >= 20
        assert after_counts() == before


def after_counts() -> tuple[int, int, int]:
    return Job.objects.count(), Operation.objects.count(), Event.objects.count()


def test_header_mistakes_are_reported_on_the_header_line(supervisor):
    report = import_file(
        user=supervisor,
        kind="customers",
        file=csv_file("Name,Colour,Name\nAcme,red,Acme"),
        dry_run=True,
    )
    found = {(p.line, p.column) for p in report.problems}
    assert found == {(1, "Colour"), (1, "Name"), (1, "customer_code")}
    assert Customer.objects.count() == 0


def test_one_bad_row_leaves_the_whole_file_unwritten(supervisor):
    report = import_file(
        user=supervisor,
        kind="customers",
        file=csv_file("code,name,email\nA1,Alpha,\nB2,Beta,not-an-email\nC3,Gamma,"),
        dry_run=False,
    )
    assert not report.applied
    assert [(p.line, p.column) for p in report.problems] == [(3, "email")]
    assert Customer.objects.count() == 0


def test_customer_typed_in_by_hand_gets_its_code_not_a_twin(supervisor, shop):
    typed = CustomerFactory(shop=shop, name="Northwind Pumps", code="")
    report = import_file(user=supervisor, kind="customers", file=csv_file(CUSTOMERS), dry_run=False)
    assert (report.created, report.updated) == (1, 1)
    typed.refresh_from_db()
    assert typed.code == "NWP"
    assert Customer.objects.filter(shop=shop).count() == 2


def test_import_writes_only_to_the_callers_shop(supervisor, shop, outsider, other_shop):
    # Beta has customer NWP and part NP-220; Acme's import neither sees nor touches them.
    theirs = CustomerFactory(shop=other_shop, name="Beta's Northwind", code="NWP")
    report = import_file(
        user=supervisor,
        kind="jobs",
        file=csv_file("job,customer,part\nJ-9001,NWP,NP-220"),
        dry_run=True,
    )
    # Problems name the columns as the file's header row wrote them.
    messages = {p.column: p.message for p in report.problems}
    assert "No customer with code NWP in this shop" in messages["customer"]
    assert "No part NP-220 in this shop" in messages["part"]

    import_file(user=supervisor, kind="customers", file=csv_file(CUSTOMERS), dry_run=False)
    mine = Customer.objects.get(shop=shop, code="NWP")
    assert mine.pk != theirs.pk and mine.name == "Northwind Pumps"
    theirs.refresh_from_db()
    assert theirs.name == "Beta's Northwind"
    assert not Customer.objects.filter(shop=other_shop, code="ACM").exists()
    assert not Event.objects.filter(shop=other_shop, kind__startswith="customer").exists()


def test_operators_cannot_import(operator):
    with pytest.raises(PermissionRefused):
        import_file(user=operator, kind="customers", file=csv_file(CUSTOMERS), dry_run=True)
    assert Customer.objects.count() == 0


def test_excel_workbook_with_jobs_and_routing_sheets(supervisor, shop):
    load_catalog(supervisor)
    workbook = openpyxl.Workbook()
    jobs = workbook.active
    jobs.title = "Jobs"
    jobs.append(["Job Number", "Customer Code", "Part Number", "Quantity", "Due Date"])
    jobs.append([7001, "NWP", "NP-220", 40, datetime.datetime(2030, 5, 1)])
    jobs.append(["J-7002", "ACM", "AH-10", 5.0, "2030-05-02"])
    routing = workbook.create_sheet("Routing")
    routing.append(["Job Number", "Sequence", "Work Center", "Run Minutes"])
    routing.append([7001, 10, "Saw", 2])
    routing.append([7001, 20, "=1+1", 2])  # a formula's text is refused, never evaluated
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()

    report = import_file(user=supervisor, kind="jobs", file=("jobs.xlsx", content), dry_run=True)
    assert [(p.sheet, p.line, p.column) for p in report.problems] == [("Routing", 3, "Work Center")]

    routing.delete_rows(3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_file(
        user=supervisor, kind="jobs", file=("jobs.xlsx", buffer.getvalue()), dry_run=False
    )
    assert report.applied, report.as_dict()
    job = Job.objects.get(shop=shop, number=7001)
    assert job.due_date == datetime.date(2030, 5, 1) and job.operations_total == 1
    assert Job.objects.get(shop=shop, number=7002).quantity == 5


def test_released_status_goes_through_the_gate(supervisor, office, shop):
    load_catalog(supervisor)
    text = (
        "job,customer,part,qty,due,material status,status\n"
        "J-8001,NWP,NP-220,5,2030-01-02,from stock,released"
    )
    routing = csv_file("job,seq,work center\nJ-8001,1,Saw")
    refused = import_file(
        user=office, kind="jobs", file=csv_file(text), routing=routing, dry_run=False
    )
    assert not refused.applied
    assert "has no drawing" in refused.problems[0].message
    assert not Job.objects.filter(number=8001).exists()

    report = import_file(
        user=supervisor, kind="jobs", file=csv_file(text), routing=routing, dry_run=False
    )
    assert report.applied and "past the gate" in report.notes[0].message
    job = Job.objects.get(shop=shop, number=8001)
    assert job.state == JobState.RELEASED and job.stage == JobStage.RELEASED
    assert Event.objects.filter(job=job, kind="job.release_overridden").exists()


def test_a_row_with_several_problems_reports_each(supervisor):
    text = (
        "code,name,email\n"
        "NWP,Northwind Pumps,orders@x\n"  # a bad email, and the key still counts
        "NWP,Northwind again,\n"  # so this duplicate is found
        ",=cmd|' /C calc'!A0,\n"  # no code and a formula: both said
    )
    report = import_file(user=supervisor, kind="customers", file=csv_file(text), dry_run=True)
    assert sorted((p.line, p.column) for p in report.problems) == [
        (2, "email"),
        (3, "code"),
        (4, "code"),
        (4, "name"),
    ]
    routing = "job,seq,work center,run minutes\nJ-1,10,Saw,x\nJ-1,10,Saw,1\n"
    report = import_file(
        user=supervisor,
        kind="jobs",
        file=csv_file("job,customer,part\nJ-1,C,P\nJ-1,C,P"),
        routing=csv_file(routing),
        dry_run=True,
    )
    where = {(p.sheet, p.line, p.column) for p in report.problems}
    assert {("data.csv", 3, "job"), ("data.csv", 2, "run minutes"), ("data.csv", 3, "seq")} <= where


def test_releasing_a_new_revision_by_import_supersedes_and_notifies_open_jobs(supervisor, shop):
    from shopdesk.jobs.models import RevisionNotice

    load_catalog(supervisor)
    import_file(
        user=supervisor,
        kind="jobs",
        file=csv_file(JOBS),
        routing=csv_file(ROUTING),
        dry_run=False,
    )
    newer = PARTS.replace(
        "NP-220,B,Pump housing,NWP,released", "NP-220,B,Pump housing,NWP,superseded"
    )
    newer += "\nNP-220,C,Pump housing,NWP,released"
    report = import_file(user=supervisor, kind="parts", file=csv_file(newer), dry_run=False)
    assert report.applied and (report.created, report.updated) == (0, 1)
    part = Part.objects.get(shop=shop, number="NP-220")
    assert part.revision == "C"
    assert dict(part.revisions.values_list("code", "status")) == {
        "A": RevisionStatus.SUPERSEDED,
        "B": RevisionStatus.SUPERSEDED,
        "C": RevisionStatus.RELEASED,
    }
    # The open jobs on B get a notice of change, as a release on the part's page gives them.
    assert RevisionNotice.objects.filter(job__number=5001, to_revision__code="C").exists()
    back = import_file(user=supervisor, kind="parts", file=csv_file(PARTS), dry_run=True)
    assert [(p.line, p.column) for p in back.problems] == [(3, "revision status")]


def test_a_job_with_parts_shipped_is_left_as_it_is(supervisor, shop):
    load_catalog(supervisor)
    first = csv_file("job,customer,part,qty\nJ-7101,NWP,NP-220,10")
    assert import_file(user=supervisor, kind="jobs", file=first, dry_run=False).applied
    # A first delivery went out: the job and its routing are the record of what shipped.
    Job.objects.filter(shop=shop, number=7101).update(quantity_shipped=4)
    again = csv_file("job,customer,part,qty\nJ-7101,NWP,NP-220,12")
    report = import_file(user=supervisor, kind="jobs", file=again, dry_run=False)
    assert not report.applied
    messages = [problem.message for problem in report.problems]
    assert "J-7101 is shipped in ShopDesk; take it out of the file." in messages
    assert Job.objects.get(shop=shop, number=7101).quantity == 10
