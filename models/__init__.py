"""Tortoise models and the domain operations beside them, one package per domain (db/ is the plumbing).

The modules at this level are the two every domain uses (access, activity) and the operations that
compose several domains (onboarding, demo_household and demo_rows, membership, profile, alerts): a
domain package imports only domains below it, so the packages form no cycle."""
