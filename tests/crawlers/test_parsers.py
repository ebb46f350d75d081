"""Every format parses its fixtures into the normalised record, quirks included."""

import json
from datetime import UTC, date, datetime

import pytest

from crawlers.errors import ParseError
from crawlers.parse import FORMATS, parse_page, parse_payload
from crawlers.platforms.base import Context
from store.records import CONTRACT_KEYS
from tests.crawlers.conftest import fixture_bytes


def by_id(records):
    return {r.external_id: r for r in records}


def test_greenhouse_unescapes_content_once_and_reads_dates_with_offsets():
    records = by_id(parse_payload("greenhouse", fixture_bytes("greenhouse/jobs.json")))
    job = records["5101378008"]
    assert job.title == "Research Engineer, Interpretability"  # trailing space trimmed
    assert "<h2>" in job.description_html and "&lt;" not in job.description_html
    assert "safe & understandable" in job.description_text
    assert "<" not in job.description_text and "&amp;" not in job.description_text
    assert "script" not in job.description_html and "alert" not in job.description_html
    assert job.posted_at == datetime(2025, 11, 6, 17, 32, 40, tzinfo=UTC)  # first_published
    assert job.locations == ["San Francisco, CA", "New York City, NY", "Seattle, WA"]
    assert job.remote == "hybrid"  # from the "Location Type" metadata
    assert job.department == "Interpretability"
    assert job.salary and (job.salary.min, job.salary.max, job.salary.currency) == (
        257000,
        335000,
        "USD",
    )
    assert job.visa_sponsorship == "yes" and "sponsor visas" in job.evidence["visa"]
    fellow = records["7649441"]
    assert fellow.url.startswith("https://careers.example.org/")  # custom careers domain kept
    assert fellow.posted_at == datetime(2026, 2, 2, 14, 0, tzinfo=UTC)  # falls back to updated_at
    assert fellow.deadline == date(2026, 3, 15)
    assert fellow.evidence["deadline"] == "Applications close 15 March 2026."
    assert fellow.visa_sponsorship == "no"


def test_greenhouse_per_job_pay_ranges_are_cents():
    (job,) = parse_payload("greenhouse", fixture_bytes("greenhouse/job_with_pay.json"))
    assert job.salary.min == 257000 and job.salary.max == 335000 and job.salary.currency == "USD"


def test_lever_epoch_milliseconds_workplace_spellings_and_lists():
    records = by_id(parse_payload("lever", fixture_bytes("lever/postings.json")))
    evals = records["5ac21346-8e0c-4494-8e7a-3eb92ff77902"]
    assert evals.posted_at == datetime(2026, 1, 8, 23, 26, 43, 825000, tzinfo=UTC)
    assert evals.remote == "hybrid" and evals.employment_type == "full_time"
    assert evals.locations == ["London", "Remote, UK"]  # allLocations
    assert evals.salary.period == "year" and evals.salary.currency == "GBP"
    assert (
        "Design evaluations" in evals.description_text
        and "Responsibilities" in evals.description_text
    )
    assert "rolling basis" in evals.evidence["deadline"] and evals.deadline is None
    assert records["0f6a8d3e-1111-4c4c-9d9d-123456789abc"].remote == "onsite"  # "onsite"
    assert records["aa6a8d3e-2222-4c4c-9d9d-123456789abc"].remote == "onsite"  # "on-site"
    assert records["0f6a8d3e-1111-4c4c-9d9d-123456789abc"].employment_type == "contract"


def test_lever_error_object_is_a_parse_error():
    with pytest.raises(ParseError, match="Document not found"):
        parse_payload("lever", fixture_bytes("lever/not_found.json"))


def test_ashby_compensation_inside_each_job_and_unlisted_left_out():
    page = parse_page("ashby", fixture_bytes("ashby/board.json"))
    records = by_id(page.records)
    assert page.skipped == 1 and "f2222222-3ce4-4086-a050-555055dbb1ff" not in records
    mts = records["d3bc1ced-3ce4-4086-a050-555055dbb1ff"]
    assert (mts.salary.min, mts.salary.max, mts.salary.currency, mts.salary.period) == (
        257000,
        335000,
        "USD",
        "year",
    )
    assert mts.evidence["salary"] == "$257K – $335K • Offers Equity"
    assert mts.remote == "unknown"  # isRemote and workplaceType are null
    assert mts.locations == ["San Francisco", "Europe"]
    designer = records["e1111111-3ce4-4086-a050-555055dbb1ff"]
    assert designer.salary is None and designer.remote == "remote"
    assert designer.employment_type == "contract"


def test_workable_v1_and_v3():
    v1 = by_id(parse_payload("workable", fixture_bytes("workable/widget.json")))
    scientist = v1["A1B2C3D4E5"]
    assert scientist.organisation == "Example Safety Institute"
    assert scientist.posted_at == datetime(2026, 6, 27, tzinfo=UTC)  # date-only
    assert scientist.remote == "remote"  # telecommuting
    assert scientist.salary.currency == "GBP" and scientist.salary.min == 60000
    assert v1["F6G7H8I9J0"].employment_type == "unknown"  # null employment_type
    v3 = by_id(parse_payload("workable", fixture_bytes("workable/v3_page1.json")))
    assert v3["K1K1K1K1K1"].remote == "remote" and v3["K2K2K2K2K2"].remote == "hybrid"
    assert v3["K1K1K1K1K1"].department == "Grants"


def test_smartrecruiters_list_and_detail():
    listed = by_id(
        parse_payload("smartrecruiters", fixture_bytes("smartrecruiters/postings_page1.json"))
    )
    assert listed["744000012345678"].remote == "hybrid"
    assert listed["744000012345679"].employment_type == "part_time"
    assert listed["744000012345679"].locations == [
        "Boston, MA, US"
    ]  # lower-case country upper-cased
    (detail,) = parse_payload("smartrecruiters", fixture_bytes("smartrecruiters/detail.json"))
    assert "Analyse draft bills" in detail.description_text
    assert detail.deadline == date(2026, 4, 30)
    assert detail.visa_sponsorship == "no" and "citizenship" in detail.evidence["visa"]


def test_recruitee_dates_and_string_salaries():
    page = parse_page("recruitee", fixture_bytes("recruitee/offers.json"))
    records = by_id(page.records)
    assert page.skipped == 1  # the draft
    ml = records["1187001"]
    assert ml.posted_at == datetime(2026, 8, 5, 9, 41, 37, tzinfo=UTC)
    assert ml.deadline == date(2026, 9, 30)
    assert (ml.salary.min, ml.salary.max, ml.salary.currency) == (60000.0, 75000.0, "EUR")
    assert ml.remote == "hybrid" and ml.employment_type == "full_time"
    assert "models & tests" in ml.description_text
    assert records["1187002"].salary is None and records["1187002"].remote == "remote"


def test_personio_cdata_and_urls_built_from_the_slug():
    ctx = Context(source_format="personio", token="examplerobotics")
    records = by_id(parse_payload("personio", fixture_bytes("personio/feed.xml"), ctx))
    researcher = records["1520301"]
    assert researcher.url == "https://examplerobotics.jobs.personio.com/job/1520301"
    assert (
        "Your mission" in researcher.description_text
        and "Find & fix" in researcher.description_text
    )
    assert researcher.locations == ["Munich", "Remote Germany"] and researcher.remote == "remote"
    assert records["1520302"].remote == "remote"  # only "Home Office" in the office text
    assert (
        researcher.salary.currency == "EUR"
        and researcher.evidence["salary"] == "Salary: €70k per year."
    )
    no_slug = parse_payload("personio", fixture_bytes("personio/feed.xml"))
    assert no_slug[0].url == ""  # no URL element and no slug: nothing invented


def test_teamtailor_feed_items_carry_jobposting():
    records = by_id(parse_payload("teamtailor", fixture_bytes("teamtailor/jobs.json")))
    executive = records["0d6c7b3e-6e62-4bd6-9a55-2f4fd4b07f1a"]
    assert executive.locations == ["Madrid, ES"]
    assert executive.posted_at == datetime(2026, 2, 4, 8, 26, 20, tzinfo=UTC)
    assert executive.extras["teamtailor_job_id"] == "7167985"
    assert executive.remote == "hybrid"  # from the prose, with its sentence kept
    assert executive.extras["remote_evidence"] == "Hybrid, two days a week in the office."
    assert records["1e7d8c4f-7f73-4ce7-8b66-3a5fe5c18a2b"].remote == "remote"  # TELECOMMUTE


def test_jsonld_graph_type_list_arrays_and_malformed_blocks():
    (graph,) = parse_payload("jsonld", fixture_bytes("jsonld/graph.html"))
    assert graph.external_id == "EPC-2026-04" and graph.deadline == date(2026, 4, 15)
    assert graph.salary.min == 140000 and graph.salary.period == "year"
    assert graph.locations == ["Washington, DC, USA"]
    page = parse_page("jsonld", fixture_bytes("jsonld/array_and_broken.html"))
    (assistant,) = page.records  # trailing comma repaired; BreadcrumbList ignored
    assert assistant.remote == "remote" and assistant.salary.period == "hour"
    assert assistant.description_text == "Assist with literature reviews."
    assert page.invalid == ["jsonld: 1 malformed JSON-LD block(s)"]
    with pytest.raises(ParseError, match="malformed"):
        parse_payload("jsonld", fixture_bytes("jsonld/only_broken.html"))


def test_aisafety_jobs_events_funding():
    (control, volunteer) = parse_payload("aisafety", fixture_bytes("aisafety/jobs.json"))
    assert control.external_id == "job:rec8XaQ1" and control.remote == "remote"
    assert control.salary.min == 150000 and control.extras["credit"].startswith("AISafety.com")
    assert (
        volunteer.organisation == "Example Reading Group"
        and volunteer.employment_type == "volunteer"
    )
    winter, summer = parse_payload("aisafety", fixture_bytes("aisafety/events.json"))
    assert (winter.deadline, summer.deadline) == (date(2026, 12, 1), date(2027, 3, 1))
    funding = parse_page("aisafety", fixture_bytes("aisafety/funding.json"))
    assert [r.external_id for r in funding.records] == ["funding:f1"] and funding.skipped == 1


def test_eightyk_hits_unix_seconds_and_tracking_stripped():
    first, second = parse_payload("eightyk", fixture_bytes("eightyk/hits_page0.json"))
    assert first.posted_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert first.deadline == date(2026, 3, 1)
    assert first.apply_url == "https://job-boards.greenhouse.io/examplesafety/jobs/4384681009"
    assert first.url == "https://jobs.80000hours.org/jobs?jobPk=20437"
    assert first.salary.min == 80000 and first.extras["areas_80k"] == ["AI safety & policy"]
    assert second.apply_url == "https://institute.example.org/fellowship"


def test_feeds_rss_and_atom():
    lead, scholars = parse_payload("feed", fixture_bytes("feed/rss.xml"))
    assert lead.external_id == "post-381" and lead.organisation == "Example Research Collective"
    assert lead.deadline == date(2026, 12, 1) and lead.visa_sponsorship == "no"
    assert scholars.external_id == scholars.url  # no guid: the link identifies it
    (comms,) = parse_payload("feed", fixture_bytes("feed/atom.xml"))
    assert (
        comms.url == "https://lab.example.org/blog/comms-manager" and comms.salary.currency == "GBP"
    )


def test_html_posting_pages_use_jsonld_else_main_text():
    (manager,) = parse_payload("html", fixture_bytes("html/research-manager.html"))
    assert manager.url == "https://institute.example.org/careers/research-manager"  # canonical
    assert manager.deadline == date(2027, 1, 10) and manager.remote == "hybrid"
    assert "Contact" not in manager.description_text  # footer dropped
    (events,) = parse_payload("html", fixture_bytes("html/events-coordinator.html"))
    assert events.employment_type == "contract" and events.organisation == "Example Institute"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_rejects_garbage_with_one_line(fmt):
    for payload in (b"", b"\x00\x01 not a payload at all", b'{"jobs": [ {"id": 1, "title": "trunc'):
        with pytest.raises(ParseError) as info:
            parse_payload(fmt, payload)
        message = str(info.value)
        assert "\n" not in message and message.startswith(fmt)


def test_truncated_json_says_where():
    body = fixture_bytes("greenhouse/jobs.json")[:500]
    with pytest.raises(ParseError, match=r"greenhouse: not valid JSON \(.* line \d+ column \d+\)"):
        parse_payload("greenhouse", body)


@pytest.mark.parametrize(
    ("fmt", "payload"),
    [
        ("greenhouse", b'{"jobs": [], "meta": {"total": 0}}'),
        ("lever", b"[]"),
        ("ashby", b'{"apiVersion": "1", "jobs": []}'),
        ("recruitee", b'{"offers": []}'),
        ("personio", b"<workzag-jobs></workzag-jobs>"),
        ("eightyk", b'{"hits": [], "nbHits": 0, "nbPages": 0, "page": 0}'),
    ],
)
def test_empty_boards_are_empty_not_errors(fmt, payload):
    assert parse_payload(fmt, payload) == []


def test_an_item_without_an_id_is_reported_and_does_not_sink_the_board():
    body = json.dumps({"jobs": [{"title": "No id"}, {"id": 2, "title": "Fine"}]}).encode()
    page = parse_page("greenhouse", body)
    assert [r.external_id for r in page.records] == ["2"]
    assert page.invalid == ["greenhouse: a posting has no 'id'"]
    with pytest.raises(ParseError, match="no 'id'"):
        parse_payload("greenhouse", body)


def test_records_have_exactly_the_contract_keys():
    for record in parse_payload("ashby", fixture_bytes("ashby/board.json")):
        assert tuple(record.contract_dict()) == CONTRACT_KEYS


def test_paging_stops_when_a_board_ignores_skip_or_repeats_a_token():
    from crawlers.platforms.base import Request
    from crawlers.platforms.lever import Lever
    from crawlers.platforms.workable import Workable
    from tests.crawlers.boards import lever_postings

    lever, ctx = Lever(), Context(source_format="lever", token="x")
    first = lever.start(ctx)[0]
    full = json.dumps(lever_postings(100)).encode()
    (second,) = lever.handle(ctx, first, full).follow
    assert "skip=100" in second.url
    assert lever.handle(ctx, second, full).follow == []  # the same page again: stop
    workable, wctx = Workable(), Context(source_format="workable", token="acct")
    (v3,) = workable.fallback(wctx, workable.start(wctx)[0], 404)
    looping = json.dumps({"results": [], "nextPage": "abc"}).encode()
    (next_page,) = workable.handle(wctx, v3, looping).follow
    assert workable.handle(wctx, next_page, looping).follow == []
    assert isinstance(next_page, Request)


def test_aisafety_follows_meta_next_and_eightyk_pages_until_nb_pages():
    from crawlers.platforms.aisafety import AISafety
    from crawlers.platforms.eightyk import EightyK

    api, ctx = AISafety(), Context(source_format="aisafety", token="jobs")
    first = api.start(ctx)[0]
    assert first.url == "https://www.aisafety.com/api/v1/jobs"
    paged = json.loads(fixture_bytes("aisafety/jobs.json"))
    paged["meta"]["next"] = "/api/v1/jobs?page=2"
    (second,) = api.handle(ctx, first, json.dumps(paged).encode()).follow
    assert second.url == "https://www.aisafety.com/api/v1/jobs?page=2"
    assert api.handle(ctx, second, fixture_bytes("aisafety/jobs.json")).follow == []
    board = EightyK()
    ectx = Context(source_format="eightyk", token="jobs_prod", secrets={"algolia_key": "k" * 32})
    start = board.start(ectx)[0]
    assert json.loads(start.body)["page"] == 0 and ("X-Algolia-API-Key", "k" * 32) in start.headers
    (page1,) = board.handle(ectx, start, fixture_bytes("eightyk/hits_page0.json")).follow
    assert json.loads(page1.body)["page"] == 1
    assert board.handle(ectx, page1, fixture_bytes("eightyk/hits_page1.json")).follow == []
    with pytest.raises(ParseError, match="no search key"):
        board.start(Context(source_format="eightyk"))


def test_search_key_is_found_in_the_board_page():
    from crawlers.platforms.eightyk import find_search_key

    assert (
        find_search_key(fixture_bytes("eightyk/board.html").decode())
        == "0123456789abcdef0123456789abcdef"
    )
    assert find_search_key("<html>no config here</html>") is None
