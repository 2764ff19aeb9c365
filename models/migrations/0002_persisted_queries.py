from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('gateway', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedQuery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('document', fields.TextField(unique=False)),
                ('client', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'persisted_query', 'app': 'gateway', 'indexes': [Index(fields=['client', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
