"""`rolefit crawl` and `rolefit sources list|check` from the command line."""

from collections.abc import Iterator

import pytest

from rolefit.cli import main
from tests.crawlers.board_server import BoardServer
from tests.crawlers.boards import greenhouse_board


def run_cli(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def board() -> Iterator[BoardServer]:
    with BoardServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fast_crawls(monkeypatch):
    monkeypatch.setenv("ROLEFIT_CRAWL_DELAY_S", "0")
    monkeypatch.setenv("ROLEFIT_CRAWL_TIMEOUT_S", "2")
    tagged: list[list[int]] = []
    # Training the real classifier takes many seconds; the crawl only has to hand it the ids.
    monkeypatch.setattr(
        "rolefit.tagging.tag_changed", lambda s, e, ids: tagged.append(ids) or len(ids)
    )
    return tagged


def write_sources(tmp_path, board: BoardServer):
    file = tmp_path / "sources.toml"
    file.write_text(
        "[[source]]\n"
        'id = "local_lab"\nplatform = "greenhouse"\ntoken = "lab"\n'
        f'url = "{board.url}/v1/boards/lab/jobs?content=true"\n'
        'organisation = "Local Lab"\norg_type = "frontier-lab"\n\n'
        "[[source]]\n"
        'id = "local_broken"\nplatform = "lever"\ntoken = "broken"\n'
        f'url = "{board.url}/v0/postings/broken?mode=json"\norganisation = "Broken Org"\n'
    )
    return file


@pytest.mark.slow
def test_crawl_prints_a_table_and_sources_check_shows_health(tmp_path, board, capsys, fast_crawls):
    board.serve("/v1/boards/lab/jobs", greenhouse_board([1, 2, 3]))
    file = write_sources(tmp_path, board)
    code, out, err = run_cli(
        capsys, "crawl", "--sources", str(file), "--source", "local_lab", "--source", "local_broken"
    )
    assert code == 0, err
    assert "local_lab" in out and "local_broken" in out and "HTTP 404" in out
    assert "1 of 2 sources crawled; 3 new" in err
    assert [len(ids) for ids in fast_crawls] == [3] and "tagged 3 new or changed postings" in err
    code, out, _ = run_cli(capsys, "sources", "check")
    assert code == 0 and "failing" in out and "ok" in out
    code, out, _ = run_cli(capsys, "sources", "list", "--sources", str(file))
    assert code == 0 and "local_lab" in out and "anthropic" in out


def test_sources_from_the_environment_and_bad_ids(tmp_path, board, capsys, monkeypatch):
    monkeypatch.setenv("ROLEFIT_SOURCES", str(write_sources(tmp_path, board)))
    code, out, _ = run_cli(capsys, "sources", "list")
    assert code == 0 and "local_broken" in out
    code, _, err = run_cli(capsys, "crawl", "--source", "no_such_source")
    assert code == 1 and err.strip() == "rolefit: error: unknown source id(s): no_such_source"


def test_a_bad_sources_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nid = "x"\nplatform = "bamboo"\ntoken = "t"\n')
    code, _, err = run_cli(capsys, "sources", "list", "--sources", str(bad))
    assert code == 1 and err.count("\n") == 1 and "unknown platform" in err


@pytest.mark.slow
def test_crawl_with_every_source_failing_exits_non_zero_without_a_traceback(tmp_path, capsys):
    file = tmp_path / "down.toml"
    file.write_text(
        '[[source]]\nid = "down"\nplatform = "ashby"\ntoken = "x"\nurl = "http://127.0.0.1:9/x"\n'
    )
    code, out, err = run_cli(capsys, "crawl", "--sources", str(file), "--source", "down")
    assert code == 1 and "Traceback" not in err
    assert "down" in out and "failed" in out
    assert "all 1 sources failed" in err
