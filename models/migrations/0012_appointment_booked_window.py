"""Appointment.booked_window, unique per account: the start of the window a SCHEDULED appointment holds,
null once it is cancelled, so the database books an account's window once. Of the scheduled appointments
already booked twice for one window, the first holds it; the others keep their rows and hold nothing."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('gateway', '0011_autopay_run')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Appointment',
            name='booked_window',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(
            'UPDATE "appointment" SET "booked_window" = "starts_at" WHERE "id" IN ('
            ' SELECT MIN("id") FROM "appointment" WHERE "status" = \'SCHEDULED\''
            ' GROUP BY "account_id", "starts_at")',
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.AddConstraint(
            model_name='Appointment',
            constraint=UniqueConstraint(fields=('account', 'booked_window'), name=None),
        ),
    ]
