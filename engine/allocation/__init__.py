"""The year's quotas and 择优 allocation: a plan's `quota` and `ranking` declarations at work.

`quotas.py` evaluates every quota for every region of the plan from city statistics (the
table `policy quota` prints); `allocate.py` decides a round of applicants, ranks the
eligible ones of each region and category and admits them up to the quota (`run.py` reads
the round's file); `neighbours.py` makes the applicants admitted in a round count as
designated for the spacing rules; `compare.py` allocates a round under two versions of a
plan, for `policy diff`. Their views are in render/ (quota_view.py, allocation_view.py).
"""
from engine.allocation.quotas import QuotaRow, QuotaTable, quota_table, table_or_raise

__all__ = ["QuotaRow", "QuotaTable", "quota_table", "table_or_raise"]
