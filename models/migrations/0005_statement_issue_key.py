"""Statement.issue_key, unique per account, replaces the unique (account, period_start): a period may hold
one-off statements beside its regular one. Existing statements were their period's regular one, so their
key is "period:<period start>".

The database change is written out here: tortoise's SQLite schema editor can neither drop the UNIQUE
constraint 0001 wrote inside CREATE TABLE nor rebuild the table without losing its indexes, and its
rebuild drops the table with foreign keys on, which deletes every line item (ON DELETE CASCADE)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.transactions import in_transaction

_SQLITE = [
    'CREATE TABLE "new__statement" ('
    ' "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,'
    ' "period_start" DATE NOT NULL,'
    ' "period_end" DATE NOT NULL,'
    ' "issued_at" TIMESTAMP NOT NULL,'
    ' "due_date" DATE NOT NULL,'
    ' "amount_due" INT NOT NULL,'
    ' "amount_paid" INT NOT NULL,'
    ' "status" VARCHAR(8) NOT NULL,'
    ' "account_id" BIGINT NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE,'
    ' "issue_key" VARCHAR(120) NOT NULL)',
    'INSERT INTO "new__statement" (id, period_start, period_end, issued_at, due_date, amount_due,'
    " amount_paid, status, account_id, issue_key)"
    " SELECT id, period_start, period_end, issued_at, due_date, amount_due, amount_paid, status,"
    " account_id, 'period:' || period_start FROM \"statement\"",
    # Keep AUTOINCREMENT's high-water mark: ids of deleted statements are not handed out again.
    "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'statement')"
    " WHERE name = 'new__statement'",
    'DROP TABLE "statement"',
    'ALTER TABLE "new__statement" RENAME TO "statement"',
    'CREATE INDEX "idx_statement_account_154ad9" ON "statement" ("account_id")',
    'CREATE INDEX "idx_statement_due_dat_319b2f" ON "statement" ("due_date")',
    'CREATE INDEX "idx_statement_status_4d817f" ON "statement" ("status", "due_date")',
    'CREATE UNIQUE INDEX "uid_statement_account_4bd826" ON "statement" ("account_id", "issue_key")',
]

_POSTGRES = [
    'ALTER TABLE "statement" ADD COLUMN "issue_key" VARCHAR(120)',
    """UPDATE "statement" SET "issue_key" = 'period:' || to_char("period_start", 'YYYY-MM-DD')""",
    'ALTER TABLE "statement" ALTER COLUMN "issue_key" SET NOT NULL',
    'ALTER TABLE "statement" DROP CONSTRAINT "uid_statement_account_907015"',
    'ALTER TABLE "statement" ADD CONSTRAINT "uid_statement_account_4bd826" UNIQUE ("account_id", "issue_key")',
]


async def key_statements(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    client = schema_editor.client
    if schema_editor.DIALECT == "sqlite":
        # SQLite's way to rebuild a table: foreign keys off (outside a transaction), so dropping the old
        # table deletes nothing that refers to it; then a check that every reference still holds.
        await client.execute_script("PRAGMA foreign_keys = OFF")
        try:
            async with in_transaction(client.connection_name) as connection:
                for statement in _SQLITE:
                    await connection.execute_query(statement)
                _, broken = await connection.execute_query("PRAGMA foreign_key_check")
                if broken:
                    raise RuntimeError(f"statement rebuild broke references: {broken[:5]}")
        finally:
            await client.execute_script("PRAGMA foreign_keys = ON")
    elif schema_editor.DIALECT == "postgres":
        async with in_transaction(client.connection_name) as connection:
            for statement in _POSTGRES:
                await connection.execute_query(statement)
    else:
        raise NotImplementedError(f"no statement migration for {schema_editor.DIALECT}")


class StateOnly(ops.TortoiseOperation):
    """The model-state side of an operation whose database side `key_statements` did."""

    def __init__(self, operation: ops.TortoiseOperation) -> None:
        self.operation = operation

    def describe(self) -> str:
        return f"{self.operation.describe()} (state only)"

    def state_forward(self, app_label, state) -> None:  # type: ignore[no-untyped-def]
        self.operation.state_forward(app_label, state)


class Migration(migrations.Migration):
    dependencies = [('gateway', '0004_outbox_failed_status')]

    initial = False
    # PRAGMA foreign_keys takes effect only outside a transaction; key_statements opens its own.
    atomic = False

    operations = [
        ops.RunPython(key_statements),
        StateOnly(ops.RemoveConstraint(model_name='Statement', name=None, fields=['account', 'period_start'])),
        StateOnly(ops.AddField(model_name='Statement', name='issue_key', field=fields.CharField(max_length=120))),
        StateOnly(
            ops.AddConstraint(
                model_name='Statement',
                constraint=UniqueConstraint(fields=('account', 'issue_key'), name=None),
            )
        ),
    ]
