"""payment_method_notice: a notice about a saved payment method that goes out once (its card expires soon)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0009_passkeys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PaymentMethodNotice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('payment_method', fields.ForeignKeyField('gateway.PaymentMethod', source_field='payment_method_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'payment_method_notice', 'app': 'gateway', 'unique_together': (('payment_method', 'kind'),), 'pk_attr': 'id', 'table_description': 'A notification about a saved payment method that must go out once (its card expires soon).'},
            bases=['Model'],
        ),
    ]
