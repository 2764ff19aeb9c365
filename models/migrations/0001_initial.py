from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.access import Permission, Role
from models.members import Channel, MemberStatus, default_notification_preferences
from models.outbox import MessageStatus
from models.security import TokenPurpose
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=16)),
                ('name', fields.CharField(max_length=200)),
                ('service_address', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('time_zone', fields.CharField(default='America/New_York', max_length=64)),
                ('contact_email', fields.CharField(null=True, max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account', 'app': 'gateway', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FailedSignIn',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ip_address', fields.CharField(max_length=45)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'failed_sign_in', 'app': 'gateway', 'indexes': [Index(fields=['ip_address', 'at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('gateway.Account', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='PRIMARY: PRIMARY\nMANAGER: MANAGER\nSTANDARD: STANDARD', enum_type=Role, max_length=16)),
                ('status', fields.CharEnumField(default=MemberStatus.INVITED, description='INVITED: INVITED\nACTIVE: ACTIVE\nLOCKED: LOCKED\nDISABLED: DISABLED', enum_type=MemberStatus, max_length=16)),
                ('username', fields.CharField(null=True, max_length=32)),
                ('username_folded', fields.CharField(null=True, unique=True, max_length=32)),
                ('display_name', fields.CharField(max_length=100)),
                ('email', fields.CharField(max_length=254)),
                ('phone', fields.CharField(null=True, max_length=20)),
                ('phone_confirmed', fields.BooleanField(default=False)),
                ('pending_email', fields.CharField(null=True, max_length=254)),
                ('pending_phone', fields.CharField(null=True, max_length=20)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('security_question', fields.CharField(null=True, max_length=200)),
                ('security_answer_hash', fields.CharField(null=True, max_length=255)),
                ('notification_preferences', fields.JSONField(default=default_notification_preferences, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('last_sign_in_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('totp_secret', fields.CharField(null=True, max_length=64)),
                ('totp_enabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('totp_last_step', fields.BigIntField(null=True)),
                ('removed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('password_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'member', 'app': 'gateway', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActivityEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('gateway.Account', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='activity', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('gateway.Member', source_field='actor_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharField(max_length=40)),
                ('summary', fields.CharField(max_length=500)),
                ('ip_address', fields.CharField(null=True, max_length=45)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'activity_event', 'app': 'gateway', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KnownDevice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('gateway.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='known_devices', on_delete=OnDelete.CASCADE)),
                ('device_hash', fields.CharField(max_length=64)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'known_device', 'app': 'gateway', 'unique_together': (('member', 'device_hash'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OneTimeToken',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('gateway.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='one_time_tokens', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharEnumField(description='ACTIVATION: ACTIVATION\nSTEP_UP: STEP_UP\nCONTACT_CHANGE: CONTACT_CHANGE\nUNLOCK: UNLOCK\nPASSWORD_RESET: PASSWORD_RESET\nSIGN_IN_CHALLENGE: SIGN_IN_CHALLENGE\nSECURE_ACCOUNT: SECURE_ACCOUNT', enum_type=TokenPurpose, max_length=32)),
                ('token_hash', fields.CharField(db_index=True, max_length=64)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('session_id', fields.BigIntField(null=True)),
                ('attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'one_time_token', 'app': 'gateway', 'pk_attr': 'id', 'table_description': 'A link token or a short code: its hash, purpose, expiry, tries and use.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharEnumField(description='EMAIL: EMAIL\nSMS: SMS', enum_type=Channel, max_length=8)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(default='', max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('kind', fields.CharField(max_length=40)),
                ('account_id', fields.BigIntField(null=True, db_index=True)),
                ('member_id', fields.BigIntField(null=True)),
                ('status', fields.CharEnumField(default=MessageStatus.PENDING, description='PENDING: PENDING\nSENDING: SENDING\nSENT: SENT', enum_type=MessageStatus, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'gateway', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PermissionGrant',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('gateway.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.CASCADE)),
                ('permission', fields.CharEnumField(description='VIEW_BILLING: VIEW_BILLING\nPAY_BILLS: PAY_BILLS\nMANAGE_PAYMENT_METHODS: MANAGE_PAYMENT_METHODS\nMANAGE_SERVICES: MANAGE_SERVICES\nMANAGE_ACCOUNT: MANAGE_ACCOUNT\nVIEW_MEMBERS: VIEW_MEMBERS\nMANAGE_MEMBERS: MANAGE_MEMBERS\nVIEW_ACTIVITY: VIEW_ACTIVITY', enum_type=Permission, max_length=32)),
            ],
            options={'table': 'permission_grant', 'app': 'gateway', 'unique_together': (('member', 'permission'),), 'pk_attr': 'id', 'table_description': "An extra permission the primary granted a member beyond the role's defaults."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('gateway.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('device_id', fields.CharField(null=True, max_length=128)),
                ('ip_address', fields.CharField(null=True, max_length=45)),
                ('user_agent', fields.CharField(null=True, max_length=512)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('elevated_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'gateway', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignInThrottle',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=120)),
                ('failures', fields.IntField(default=0)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lock_level', fields.IntField(default=0)),
                ('last_locked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sign_in_throttle', 'app': 'gateway', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
