"""Store rules the crawler relies on: dedup with reasons, crawl state, registry, import evidence."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from crawlers.errors import SourceConfigError
from crawlers.parse import parse_payload
from crawlers.platforms.base import Context
from crawlers.registry import load_sources, select_sources
from matcher.fit.load import fingerprint
from rolefit.commands.importing import import_records
from store.closing import close_expired
from store.crawlstate import DISABLE_AFTER, backoff, is_suspicious, record_failure, record_success
from store.dedup import ats_key, canonical_url, near_identical
from store.ingest import upsert_postings
from store.models import Posting, PostingChange, PostingLink, Source
from store.records import PostingRecord
from tests.crawlers.conftest import fixture_bytes

NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)


def make_source(session: Session, source_id: str) -> Source:
    source = Source(id=source_id, platform="test")
    session.add(source)
    session.flush()
    return source


def record(**fields) -> PostingRecord:
    base = {
        "source_format": "test",
        "external_id": "1",
        "title": "Research Engineer",
        "organisation": "Org",
    }
    return PostingRecord(**{**base, **fields})


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (
            "https://job-boards.greenhouse.io/examplesafety/jobs/4384681009?utm_source=80000hours",
            "greenhouse:4384681009",
        ),
        ("https://careers.example.org/positions/7649441?gh_jid=7649441", "greenhouse:7649441"),
        (
            "https://jobs.eu.lever.co/x/5AC21346-8e0c-4494-8e7a-3eb92ff77902/apply",
            "lever:5ac21346-8e0c-4494-8e7a-3eb92ff77902",
        ),
        (
            "https://jobs.ashbyhq.com/openai/d3bc1ced-3ce4-4086-a050-555055dbb1ff/application",
            "ashby:d3bc1ced-3ce4-4086-a050-555055dbb1ff",
        ),
        ("https://apply.workable.com/j/A1B2C3D4E5", "workable:a1b2c3d4e5"),
        ("https://example.org/careers", None),
    ],
)
def test_ats_keys(url, key):
    assert ats_key(url) == key


def test_canonical_url_strips_tracking_and_noise():
    assert (
        canonical_url("http://www.Example.org/jobs/1/?utm_source=x&b=2&a=1#apply")
        == "https://example.org/jobs/1?a=1&b=2"
    )
    assert canonical_url("mailto:jobs@example.org") is None


def test_near_identical_text():
    text = (
        "Work on interpretability of large language models with a small team in London. You will "
        "design experiments, build tools that other researchers rely on, write up results for "
        "publication and mentor junior colleagues. We offer a competitive salary, a pension, "
        "generous leave and support for conference travel, and we welcome applicants from all "
        "backgrounds who care about making advanced AI systems safe and understandable."
    )
    assert near_identical(text, text + " Apply soon.")
    assert not near_identical(text, "Organise events for the community and manage the budget.")


def test_aggregator_and_ats_become_one_posting_with_reasons(engine):
    ctx80k = Context(source_format="eightyk")
    hits = parse_payload("eightyk", fixture_bytes("eightyk/hits_page0.json"), ctx80k)
    ats = record(
        external_id="4384681009",
        title="Research Scientist, Safety",
        organisation="Example Safety Center",
        url="https://job-boards.greenhouse.io/examplesafety/jobs/4384681009",
    )
    page = record(
        external_id="fellowship",
        title="Summer Research Fellowship",
        organisation="Example Institute",
        url="https://institute.example.org/fellowship/",
    )
    with Session(engine) as session:
        gh, eightyk, html = (
            make_source(session, "gh"),
            make_source(session, "ek"),
            make_source(session, "ht"),
        )
        upsert_postings(session=session, source=gh, records=[ats], now=NOW)
        upsert_postings(session=session, source=html, records=[page], now=NOW)
        result = upsert_postings(session=session, source=eightyk, records=hits, now=NOW)
        assert (result.new, result.linked) == (0, 2)
        links = session.exec(select(PostingLink).where(PostingLink.source_id == "ek")).all()
        assert sorted(link.reason for link in links) == ["ats_id", "canonical_url"]
        again = upsert_postings(
            session=session, source=eightyk, records=hits, now=NOW + timedelta(hours=6)
        )
        assert (again.new, again.linked, again.unchanged) == (0, 0, 2)
        assert len(session.exec(select(Posting)).all()) == 2


def test_same_org_title_and_text_merge_but_cohorts_with_other_deadlines_stay_apart(engine):
    text = "A ten week research program with mentors, a stipend and housing in Berkeley. " * 3
    winter = record(
        external_id="w",
        title="Alignment Fellowship",
        description_text=text,
        deadline=date(2026, 12, 1),
    )
    summer = record(
        external_id="s",
        title="Alignment Fellowship",
        description_text=text,
        deadline=date(2027, 3, 1),
    )
    with Session(engine) as session:
        a, b = make_source(session, "a"), make_source(session, "b")
        upsert_postings(session=session, source=a, records=[winter], now=NOW)
        same = upsert_postings(
            session=session,
            source=b,
            records=[winter.model_copy(update={"external_id": "x"})],
            now=NOW,
        )
        assert same.linked == 1
        link = session.exec(select(PostingLink).where(PostingLink.source_id == "b")).one()
        assert link.reason == "title_description"
        other_round = upsert_postings(session=session, source=b, records=[summer], now=NOW)
        assert other_round.new == 1 and other_round.linked == 0


def test_deadline_passed_closes_and_only_a_new_future_deadline_reopens(engine):
    with Session(engine) as session:
        src = make_source(session, "a")
        upsert_postings(
            session=session, source=src, records=[record(deadline=date(2026, 1, 10))], now=NOW
        )
        assert close_expired(session, now=NOW) == 1
        result = upsert_postings(
            session=session, source=src, records=[record(deadline=date(2026, 1, 10))], now=NOW
        )
        assert result.reopened == 0
        result = upsert_postings(
            session=session, source=src, records=[record(deadline=date(2026, 3, 1))], now=NOW
        )
        assert result.reopened == 1 and result.updated == 1


def test_failures_back_off_and_disable_with_a_reason():
    source = Source(id="s", platform="lever", last_good_count=12)
    interval = timedelta(hours=6)
    assert backoff(1, interval) == timedelta(minutes=30) and backoff(3, interval) == timedelta(
        hours=2
    )
    assert backoff(20, interval) == timedelta(hours=24)
    for n in range(1, DISABLE_AFTER + 1):
        disabled = record_failure(
            source, now=NOW, interval=interval, reason="http_5xx", message="HTTP 503"
        )
        assert disabled == (n == DISABLE_AFTER)
    assert not source.enabled and "8 failed crawls" in source.disabled_reason
    record_success(source, now=NOW, interval=interval, count=5, etag='"e"')
    assert source.error_streak == 0 and source.last_error is None and source.etag == '"e"'
    assert NOW + interval <= source.next_crawl_at <= NOW + interval * 1.1
    assert is_suspicious(0, 12) and not is_suspicious(0, 1) and not is_suspicious(3, 12)


def test_bundled_sources_are_valid_unique_and_cover_the_directory():
    sources = load_sources()
    ids = [s.id for s in sources]
    assert len(ids) == len(set(ids))
    by_id = {s.id: s for s in sources}
    assert (
        by_id["anthropic"].endpoint()
        == "https://boards-api.greenhouse.io/v1/boards/anthropic/jobs?content=true"
    )
    assert by_id["uk_aisi"].endpoint().startswith("https://boards-api.eu.greenhouse.io/")
    assert by_id["controlai"].endpoint().startswith("https://api.eu.lever.co/")
    assert not by_id["metr"].verified and by_id["openai"].verified
    assert {s.platform for s in sources} >= {
        "greenhouse",
        "lever",
        "ashby",
        "aisafety",
        "eightyk",
        "html",
    }
    assert {
        "aisafety_jobs",
        "aisafety_events",
        "aisafety_funding",
        "eighty_thousand_hours_board",
    } <= set(ids)
    text = (Path(__file__).resolve().parents[2] / "crawlers" / "sources.toml").read_text()
    assert "API-Key" not in text and "apiKey" not in text  # the 80k key is never stored


def test_user_file_overrides_and_adds(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text(
        '[[source]]\nid = "anthropic"\nenabled = false\n\n'
        '[[source]]\nid = "my_board"\nplatform = "lever"\ntoken = "mine"\norganisation = "Mine"\n'
    )
    sources = {s.id: s for s in load_sources(extra)}
    assert not sources["anthropic"].enabled and sources["anthropic"].platform == "greenhouse"
    assert sources["my_board"].endpoint() == "https://api.lever.co/v0/postings/mine?mode=json"
    with pytest.raises(SourceConfigError, match="unknown source id"):
        select_sources(list(sources.values()), ["nope"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[source]]\nid = "x"\nplatform = "bamboo"\ntoken = "t"\n',
            "source 'x': platform: unknown platform",
        ),
        ('[[source]]\nid = "Bad-Id"\nplatform = "lever"\ntoken = "t"\n', "id: must be snake_case"),
        ('[[source]]\nid = "x"\nplatform = "lever"\n', "needs a token or a url"),
        ('[[source]]\nid = "x"\nplatform = "html"\nurl = "https://e.org"\n', "selectors.link"),
        ("[[source]\n", "not valid TOML"),
    ],
)
def test_bad_source_files_fail_with_one_line(tmp_path, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(SourceConfigError) as info:
        load_sources(bad)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_import_keeps_prose_evidence(settings, engine):
    text = "Applications close 15 March 2027. We are unable to sponsor visas."
    imported = record(external_id="i1", description_text=text)
    import_records(settings, [imported], source_id="import", url=str(engine.url))
    with Session(engine) as session:
        posting = session.exec(select(Posting)).one()
    assert posting.deadline == date(2027, 3, 15)
    assert posting.deadline_evidence == "Applications close 15 March 2027."
    assert posting.visa_sponsorship == "no" and "sponsor" in posting.visa_evidence


def test_bulk_insert_update_and_304_closing_on_both_databases(any_engine):
    from store.closing import close_missing, touch_listed

    first = [record(external_id=str(n), title=f"Role {n}", locations=["London"]) for n in range(6)]
    with Session(any_engine) as session:
        src = make_source(session, "a")
        result = upsert_postings(session=session, source=src, records=first, now=NOW)
        assert result.new == 6 and len(result.changed_ids) == 6
        assert len(session.exec(select(PostingLink)).all()) == 6
        changed = [first[0].model_copy(update={"title": "Role zero, renamed"}), *first[1:3]]
        result = upsert_postings(session=session, source=src, records=changed, now=NOW)
        assert (result.new, result.updated, result.unchanged) == (0, 1, 2)
        assert close_missing(session, src, {r.external_id for r in changed}, now=NOW) == 0
        assert touch_listed(session, src, now=NOW + timedelta(hours=6)) == (
            3,
            3,
        )  # 304: second miss
        session.commit()
        open_rows = session.exec(select(Posting).where(Posting.closed_at == None)).all()  # noqa: E711
        assert sorted(p.external_id for p in open_rows) == ["0", "1", "2"]
        assert {p.locations[0] for p in open_rows} == {"London"}


def test_aggregator_postings_stay_open_while_the_employer_still_lists_them(engine):
    from store.closing import close_missing

    hit = record(
        external_id="20437",
        title="Research Scientist",
        url="https://jobs.80000hours.org/jobs?jobPk=20437",
        apply_url="https://job-boards.greenhouse.io/examplesafety/jobs/99",
        deadline=date(2026, 6, 1),
        extras={"areas_80k": ["AI safety & policy"]},
    )
    ats = record(
        external_id="99",
        title="Research Scientist",
        url="https://job-boards.greenhouse.io/examplesafety/jobs/99",
    )
    with Session(engine) as session:
        board = make_source(session, "board")
        board.config = {"org_type": "aggregator"}
        employer = make_source(session, "employer")
        upsert_postings(session=session, source=board, records=[hit], now=NOW)
        linked = upsert_postings(session=session, source=employer, records=[ats], now=NOW)
        assert linked.linked == 1
        posting = session.exec(select(Posting)).one()
        assert "via_employer" not in posting.extras  # the employer record carried no extras
        for day in (1, 2):  # the aggregator drops it twice; the employer still lists it
            upsert_postings(
                session=session, source=employer, records=[ats], now=NOW + timedelta(days=day)
            )
            assert close_missing(session, board, set(), now=NOW + timedelta(days=day)) == 0
        assert close_missing(session, board, set(), now=NOW + timedelta(days=9)) == 1  # link stale


def test_a_duplicate_fills_what_the_posting_lacks(engine):
    ats = record(
        external_id="99",
        title="Research Scientist",
        url="https://job-boards.greenhouse.io/x/jobs/99",
    )
    hit = record(
        external_id="20437",
        title="Research Scientist",
        apply_url="https://job-boards.greenhouse.io/x/jobs/99?utm_source=80000hours",
        deadline=date(2026, 6, 1),
        extras={"areas_80k": ["AI safety & policy"]},
    )
    with Session(engine) as session:
        employer, board = make_source(session, "employer"), make_source(session, "board")
        upsert_postings(session=session, source=employer, records=[ats], now=NOW)
        session.commit()
        before = fingerprint(session, NOW.date())
        upsert_postings(session=session, source=board, records=[hit], now=NOW)
        session.commit()
        posting = session.exec(select(Posting)).one()
        assert (
            posting.deadline == date(2026, 6, 1)
            and posting.deadline_evidence == "deadline listed on board"
        )
        assert posting.extras["via_board"] == {"areas_80k": ["AI safety & policy"]}
        # The filled-in deadline is history, and what lists and matching read has moved.
        [change] = session.exec(select(PostingChange)).all()
        assert change.old_deadline is None and change.old_title == "Research Scientist"
        assert fingerprint(session, NOW.date()) != before
        again = upsert_postings(
            session=session, source=employer, records=[ats], now=NOW + timedelta(hours=6)
        )
        assert again.unchanged == 1 and posting.deadline == date(2026, 6, 1)  # hash untouched
        upsert_postings(session=session, source=board, records=[hit], now=NOW + timedelta(hours=6))
        assert len(session.exec(select(PostingChange)).all()) == 1  # nothing new to fill


def test_a_304_from_an_aggregator_respects_the_employer_listing(any_engine):
    from store.closing import touch_listed

    hit = record(
        external_id="1",
        title="Research Scientist",
        apply_url="https://job-boards.greenhouse.io/x/jobs/5",
    )
    alone = record(external_id="2", title="Operations Lead", apply_url="https://example.org/ops")
    ats = record(
        external_id="5", title="Research Scientist", url="https://job-boards.greenhouse.io/x/jobs/5"
    )
    with Session(any_engine) as session:
        board = make_source(session, "board")
        board.config = {"org_type": "aggregator"}
        employer = make_source(session, "employer")
        upsert_postings(session=session, source=board, records=[hit, alone], now=NOW)
        upsert_postings(session=session, source=employer, records=[ats], now=NOW)
        for posting in session.exec(select(Posting)).all():
            posting.missing_count = 1  # both were missing from the aggregator's last listing
        session.flush()
        assert touch_listed(session, board, now=NOW + timedelta(hours=6)) == (0, 1)
        session.commit()
        still_open = session.exec(select(Posting).where(Posting.closed_at == None)).all()  # noqa: E711
        assert [p.external_id for p in still_open] == ["1"]


def test_due_sources_are_new_or_past_their_time(engine):
    from crawlers.runner import due_sources, sync_sources

    configs = [s for s in load_sources() if s.id in {"anthropic", "openai", "metr"}]
    with Session(engine) as session:
        rows = sync_sources(session, configs)
        assert {c.id for c in due_sources(session, NOW)} == {"anthropic", "openai", "metr"}
        record_success(rows["anthropic"], now=NOW, interval=timedelta(hours=6), count=3)
        record_failure(
            rows["openai"], now=NOW, interval=timedelta(hours=6), reason="timeout", message=""
        )
        rows["metr"].enabled = False
        session.flush()
        assert due_sources(session, NOW + timedelta(minutes=10)) == []
        due_later = due_sources(session, NOW + timedelta(hours=7))
        assert {c.id for c in due_later} == {"anthropic", "openai"}
        assert due_later[0].endpoint().startswith("https://")
