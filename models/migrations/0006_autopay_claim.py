"""Autopay's claims become leases in their own table (models/billing/autopay_lease.py); the claims that were
billing notices (kind "AUTOPAY_ATTEMPT:<day>") held no lease and are dropped."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0005_statement_issue_key')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AutopayClaim',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('statement', fields.ForeignKeyField('gateway.Statement', source_field='statement_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('holder', fields.CharField(max_length=40)),
                ('lease_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'autopay_claim', 'app': 'gateway', 'unique_together': (('statement', 'day'),), 'pk_attr': 'id', 'table_description': "An autopay run's lease on one statement's attempt of a day (models/billing/autopay_lease.py): the"},
            bases=['Model'],
        ),
        ops.RunSQL("DELETE FROM billing_notice WHERE kind LIKE 'AUTOPAY_ATTEMPT:%'"),
    ]
