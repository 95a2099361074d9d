"""`painpath db upgrade | current | backup | restore`: messages on stderr, exit 2 on bad input."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from painpath.cli import app
from painpath.store import make_engine

from ._sample import counts, dump, fill


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Run `painpath ARGS` in-process against the database at `url`."""
    monkeypatch.delenv("PAINPATH_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAINPATH_HOME", str(tmp_path / "home"))
    runner = CliRunner()

    def run(url, *args):
        env = {"PAINPATH_DATABASE_URL": url} if url else {}
        return runner.invoke(app, ["db", *args], env=env)

    return run


def test_upgrade_then_current(cli, tmp_path):
    blank = f"sqlite:///{tmp_path}/blank.db"
    result = cli(blank, "current")
    assert (result.exit_code, result.stdout) == (0, "none (head is 0006_stored_chart)\n")
    result = cli(blank, "upgrade")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "at revision 0006_stored_chart" in result.stderr
    assert cli(blank, "current").stdout == "0006_stored_chart (head)\n"


def test_the_default_database_lives_under_painpath_home(cli, tmp_path):
    assert cli(None, "upgrade").exit_code == 0
    assert (tmp_path / "home" / "painpath.db").is_file()


def test_passwords_stay_out_of_messages(cli):
    result = cli("postgresql://u:s3cret@127.0.0.1:1/clinic", "upgrade")
    assert result.exit_code == 1
    assert result.stderr.startswith("painpath: postgresql+psycopg://u:***@127.0.0.1:1/clinic")
    assert "s3cret" not in result.stderr


def test_backup_then_restore_into_a_brand_new_database(cli, db_engine, tmp_path):
    """From the backend under test into a SQLite file that does not exist yet."""
    blank = f"sqlite:///{tmp_path}/blank.db"
    fill(db_engine)
    source = db_engine.url.render_as_string(hide_password=False)
    result = cli(source, "backup", str(tmp_path / "b.jsonl"))
    assert result.exit_code == 0, result.stderr
    assert "backed up to" in result.stderr
    result = cli(blank, "restore", str(tmp_path / "b.jsonl"))
    assert result.exit_code == 0, result.stderr
    assert f"{sum(counts(db_engine).values())} rows in 11 tables" in result.stderr
    target = make_engine(blank)
    try:
        assert dump(target) == dump(db_engine)
    finally:
        target.dispose()


def _refused(result, words):
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("painpath: ")
    assert words in result.stderr
    assert result.stderr.count("\n") == 1


def test_restore_refusals_exit_2(cli, db_engine, tmp_path):
    url = db_engine.url.render_as_string(hide_password=False)
    _refused(cli(url, "restore", str(tmp_path / "missing.jsonl")), "no such file")
    (tmp_path / "notes.txt").write_text("hello\n")
    _refused(cli(url, "restore", str(tmp_path / "notes.txt")), "not a painpath backup")
    blank = f"sqlite:///{tmp_path}/blank.db"
    _refused(cli(blank, "restore", str(tmp_path / "notes.txt")), "not a painpath backup")
    assert cli(blank, "current").stdout.startswith("none")
    fill(db_engine)
    assert cli(url, "backup", str(tmp_path / "b.jsonl")).exit_code == 0
    _refused(cli(url, "restore", str(tmp_path / "b.jsonl")), "not empty")


def test_backup_refusals_exit_2(cli, db_engine, tmp_path):
    url = db_engine.url.render_as_string(hide_password=False)
    _refused(cli(url, "backup", str(tmp_path / "no" / "b.jsonl")), "existing folder")
    _refused(cli(url, "backup", str(tmp_path)), "existing folder")
    blank = f"sqlite:///{tmp_path}/blank.db"
    _refused(cli(blank, "backup", str(tmp_path / "b.jsonl")), "painpath db upgrade")


def test_an_unreachable_database_exits_1(cli, tmp_path):
    result = cli(f"sqlite:///{tmp_path}/no/such/dir/x.db", "current")
    assert result.exit_code == 1
    assert result.stderr.startswith("painpath: ")
    assert "database error (OperationalError)" in result.stderr


def test_a_malformed_url_exits_2(cli):
    _refused(cli("::nonsense::", "current"), "PAINPATH_DATABASE_URL")
