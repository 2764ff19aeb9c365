from tortoise import migrations
from tortoise.migrations import operations as ops
from models.members.models import Channel
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0002_persisted_queries')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ResetRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('login', fields.CharField(max_length=254)),
                ('channel', fields.CharEnumField(description='EMAIL: EMAIL\nSMS: SMS', enum_type=Channel, max_length=8)),
                ('ip_address', fields.CharField(null=True, max_length=45)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'password_reset_request', 'app': 'gateway', 'pk_attr': 'id', 'table_description': 'A requestPasswordReset, answered at once and carried out by the worker (`carry_out_requests`),'},
            bases=['Model'],
        ),
    ]
