from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gateway', '0006_autopay_claim')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StripeCustomer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account_id', fields.BigIntField(unique=True)),
                ('customer_id', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'stripe_customer', 'app': 'gateway', 'pk_attr': 'id', 'table_description': 'The Stripe customer of an account: its payment methods are attached to it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Payment',
            name='next_action',
            field=fields.CharField(null=True, max_length=500),
        ),
    ]
