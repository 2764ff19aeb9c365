"""autopay_run: each autopay run of a day, live while it renews its lease, finished once it went through the
day; the workers start a run whenever the day is not finished and none of theirs is live."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0010_payment_method_notice')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AutopayRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(db_index=True)),
                ('holder', fields.CharField(unique=True, max_length=40)),
                ('lease_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'autopay_run', 'app': 'gateway', 'pk_attr': 'id', 'table_description': 'One autopay run of a day: live while it renews its lease, finished once it went through the day.'},
            bases=['Model'],
        ),
    ]
