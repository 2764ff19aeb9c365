"""Migration 0005 on a database with statements: each becomes its period's regular one, keeps its line
items (a table rebuild with foreign keys on would cascade-delete them), and a one-off may join it.
Run in a subprocess with its own SQLite file: tortoise's migrate takes over the process's connections."""

from __future__ import annotations

from pathlib import Path

from tests.models.migration_support import report_of

SCRIPT = """
STATEMENT = (
    "INSERT INTO statement (account_id, period_start, period_end, issued_at, due_date, amount_due,"
    " amount_paid, status{key}) VALUES (1, '2025-01-15', '2025-02-14', '2025-01-15 06:00:00+00:00',"
    " '2025-02-05', 7999, 0, 'OPEN'{value})"
)

async def main():
    await migrate(config=config, target="gateway.0004_outbox_failed_status")
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    db = connections.get("default")
    await db.execute_script(ACCOUNT)
    await db.execute_script(STATEMENT.format(key="", value=""))
    await db.execute_script(
        "INSERT INTO line_item (statement_id, description, amount) VALUES (1, 'Gig', 7999)"
    )
    await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    db = connections.get("default")
    async def rows(sql):
        return [list(row.values()) for row in await db.execute_query_dict(sql)]

    report = {
        "statements": await rows("SELECT id, issue_key FROM statement"),
        "lineItems": await rows("SELECT statement_id, description FROM line_item"),
        "foreignKeys": (await db.execute_query_dict("PRAGMA foreign_keys"))[0]["foreign_keys"],
    }
    await db.execute_script(STATEMENT.format(key=", issue_key", value=", 'key:install'"))
    try:
        await db.execute_script(STATEMENT.format(key=", issue_key", value=", 'period:2025-01-15'"))
        report["duplicate"] = "accepted"
    except IntegrityError:
        report["duplicate"] = "refused"
    await db.execute_script("DELETE FROM statement WHERE id = 1")
    report["cascaded"] = (await db.execute_query_dict("SELECT count(*) AS n FROM line_item"))[0]["n"] == 0
    await Tortoise.close_connections()
    print(json.dumps(report))

asyncio.run(main())
"""


def test_existing_statements_become_their_periods_regular_ones_and_keep_their_line_items(
    tmp_path: Path,
) -> None:
    # given a database at 0004 with a statement and its line item; when it is migrated
    report = report_of(SCRIPT, tmp_path)
    # then
    assert report == {
        "statements": [[1, "period:2025-01-15"]],
        "lineItems": [[1, "Gig"]],
        "foreignKeys": 1,
        "duplicate": "refused",
        "cascaded": True,
    }
