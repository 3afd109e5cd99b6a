"""The weekly schedule: which site is audited when, and who receives the digest.

`config` reads and checks `cron/schedule.yml`, `scheduler` keeps the jobs in a persistent
APScheduler job store, `lock` stops two runs of one job from overlapping.
"""
