"""The schema's written form (archive/schema.sql) is the schema a fresh archive has, and
the migrations that make it are frozen: they import no live code."""
from __future__ import annotations

import ast

from nianbao.archive import schema
from nianbao.archive.schema_sql import fresh_schema
from nianbao.archive.store import Archive
from tests.support import ROOT


def test_schema_sql_is_what_a_fresh_archive_has():
    written = (ROOT / "archive" / "schema.sql").read_text(encoding="utf-8")
    body = "".join(line + "\n" for line in written.splitlines() if not line.startswith("--")).lstrip()
    assert body == fresh_schema(), (
        "archive/schema.sql is out of date: python -m nianbao.archive.schema_sql > archive/schema.sql")


def test_migrations_import_no_live_code():
    tree = ast.parse((ROOT / "archive" / "migrations.py").read_text(encoding="utf-8"))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
        {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported <= {"__future__", "hashlib", "json", "sqlite_utils"}, imported


def test_derived_objects_are_rebuilt_when_their_definition_changes(tmp_path, monkeypatch):
    path = tmp_path / "a.db"
    with Archive(path):
        pass
    monkeypatch.setattr(schema, "derived_signature", lambda: "a new definition")
    with Archive(path) as ar:
        assert ar.conn.execute("SELECT value FROM archive_meta WHERE key = 'derived_signature'"
                               ).fetchone()[0] == "a new definition"
        assert not schema.needs_migration(ar.db)
