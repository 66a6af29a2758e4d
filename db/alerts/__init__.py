"""Alerts in the database: rules (rules.py), their evaluation (evaluation.py) and the
firings outbox that delivery drains (outbox.py)."""
