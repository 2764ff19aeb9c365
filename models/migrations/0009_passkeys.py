from tortoise import migrations
from tortoise.migrations import operations as ops
from models.security.models import PasskeyFlow
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0008_recovery_codes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Passkey',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('gateway.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='passkeys', on_delete=OnDelete.CASCADE)),
                ('credential_id', fields.CharField(unique=True, max_length=1400)),
                ('user_handle', fields.CharField(max_length=128)),
                ('public_key', fields.TextField(unique=False)),
                ('sign_count', fields.BigIntField(default=0)),
                ('transports', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('aaguid', fields.CharField(max_length=36)),
                ('name', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'passkey', 'app': 'gateway', 'pk_attr': 'id', 'table_description': "A member's WebAuthn credential: its id and COSE public key (base64url), sign count, transports and"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebAuthnChallenge',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('challenge_hash', fields.CharField(unique=True, max_length=64)),
                ('flow', fields.CharEnumField(description='REGISTRATION: REGISTRATION\nSIGN_IN: SIGN_IN\nSTEP_UP: STEP_UP', enum_type=PasskeyFlow, max_length=16)),
                ('member_id', fields.BigIntField(null=True)),
                ('session_id', fields.BigIntField(null=True)),
                ('named', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webauthn_challenge', 'app': 'gateway', 'pk_attr': 'id', 'table_description': 'A WebAuthn challenge handed out, as its SHA-256: the flow it is for, the member (and session) it'},
            bases=['Model'],
        ),
    ]
