"""Hypothesis profiles without wall-clock deadlines.

A property test's 200 ms deadline measures the machine, not the code: on a loaded CI runner
or with the suite spread over several workers, a correct test failed on it. The profiles
keep the number of examples and drop the deadline; `ci` also prints the blob that
reproduces a failure, so a CI log is enough to replay it.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import HealthCheck, settings

CI_PROFILE = "ci"
DEV_PROFILE = "dev"


def register_hypothesis_profiles() -> None:
    settings.register_profile(DEV_PROFILE, deadline=None)
    settings.register_profile(
        CI_PROFILE,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )


def hypothesis_profile(environ: Mapping[str, str]) -> str:
    """`HYPOTHESIS_PROFILE` when set, else `ci` under CI (CI=true) and `dev` elsewhere."""
    chosen = environ.get("HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    return CI_PROFILE if environ.get("CI", "").lower() == "true" else DEV_PROFILE
