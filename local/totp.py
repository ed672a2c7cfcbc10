"""``python -m local.totp [SECRET]``: the current TOTP code for the demo admin (or for SECRET).

The demo admin seeded by ``make run`` has MFA enrolled with ``DEMO_TOTP_SECRET`` (local only), so admin
routes, which all need MFA, can be tried by hand: sign in with the password, then send this code with the
challenge to ``POST /api/auth/mfa/verify``. A code is accepted once per 30-second step.
"""

from __future__ import annotations

import sys

from oshi.identity import mfa
from oshi.kernel import clock

# Local demo only: printed by `make run`; never a real account's secret.
DEMO_TOTP_SECRET = "OSHIDEMOADMINTOTPSECRETLOCALONLY"  # noqa: S105


def current_code(secret: str = DEMO_TOTP_SECRET) -> str:
    return mfa.code_at_step(secret, mfa.step_at(clock.now()))


if __name__ == "__main__":
    print(current_code(sys.argv[1] if len(sys.argv) > 1 else DEMO_TOTP_SECRET))
