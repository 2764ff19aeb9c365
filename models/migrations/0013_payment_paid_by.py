"""payment.paid_by: the member who made a payment (payBill); none for autopay and partner apps."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0012_appointment_booked_window')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Payment',
            name='paid_by',
            field=fields.ForeignKeyField('gateway.Member', source_field='paid_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
    ]
