"""Words that the site configs, the crawler, the store and the rules must spell the same way.

A unit's level decides its deadlines (条例第四十九条 gives departments 31 January and 县级以上
governments 31 March), so it is checked where a site config is read and used where a rule applies.
"""
from __future__ import annotations

UNIT_LEVELS = ("township", "subdistrict", "county_gov", "department")
FINDING_KINDS = ("failure", "could_not_check")
SEVERITIES = ("critical", "warning", "info")
