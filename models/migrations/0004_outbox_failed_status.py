from tortoise import migrations
from tortoise.migrations import operations as ops
from models.notify.outbox import MessageStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0003_password_reset_requests')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='OutboxMessage',
            name='status',
            field=fields.CharEnumField(default=MessageStatus.PENDING, description='PENDING: PENDING\nSENDING: SENDING\nSENT: SENT\nFAILED: FAILED', enum_type=MessageStatus, max_length=8),
        ),
    ]
