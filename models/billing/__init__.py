"""Billing: statements, payments and payment methods, the statement run, charges, autopay, the payment
processor and the billing notices."""
