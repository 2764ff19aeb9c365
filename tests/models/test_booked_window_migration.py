"""Migration 0012 on a database whose account booked one window twice (before the window was unique):
the first of the two holds it, the other and the cancelled one hold nothing, and the window is then
booked once. Run in a subprocess with its own database, as tortoise's migrate takes over the process's
connections; the script takes any empty database's URL (SQLite here)."""

from __future__ import annotations

from pathlib import Path

from tests.models.migration_support import report_of

SCRIPT = """
APPOINTMENT = (
    "INSERT INTO appointment (account_id, starts_at, ends_at, reason, status, created_at{key})"
    " VALUES (1, '2030-01-02 16:00:00+00:00', '2030-01-02 18:00:00+00:00', '{reason}', '{status}',"
    " '2029-12-01 00:00:00+00:00'{value})"
)

async def main():
    await migrate(config=config, target="gateway.0011_autopay_run")
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    db = connections.get("default")
    await db.execute_script(ACCOUNT)
    for reason, status in (("cancelled", "CANCELLED"), ("first", "SCHEDULED"), ("again", "SCHEDULED")):
        await db.execute_script(APPOINTMENT.format(key="", value="", reason=reason, status=status))
    await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    db = connections.get("default")
    rows = await db.execute_query_dict(
        "SELECT reason, booked_window IS NOT NULL AS holds FROM appointment ORDER BY id"
    )
    report = {"holding": [[row["reason"], bool(row["holds"])] for row in rows]}
    try:
        await db.execute_script(
            APPOINTMENT.format(
                key=", booked_window", value=", '2030-01-02 16:00:00+00:00'",
                reason="third", status="SCHEDULED",
            )
        )
        report["third"] = "accepted"
    except IntegrityError:
        report["third"] = "refused"
    await Tortoise.close_connections()
    print(json.dumps(report))

asyncio.run(main())
"""


def test_the_first_of_an_accounts_bookings_of_a_window_holds_it(tmp_path: Path) -> None:
    # given a database at 0011 whose account booked one window twice and cancelled it once; when migrated
    report = report_of(SCRIPT, tmp_path)
    # then
    assert report == {
        "holding": [["cancelled", False], ["first", True], ["again", False]],
        "third": "refused",
    }
