"""govaudit's auditing side: normalisation, rules, findings, history, report, email, schedule, CLI."""
import os

# Great Expectations sends usage analytics unless told not to, and it may be imported by any
# module below (rules, pipeline, benches); nothing at run time may leave the machine.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
