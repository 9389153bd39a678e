"""``python -m simulators.conecrm [--host H] [--port P] [--profile lists|objects]``: the ConeCRM simulator.

In memory (its own store, empty at start but for seed 004's customization examples); it accepts tokens
signed with ``CONECRM_SIMULATOR_SECRET`` or ``CRM_GATEWAY_JWT_SECRET``. ``--profile`` picks one reading
of what seed 004 leaves open (see ``simulators/conecrm/profiles.py``).
"""

from __future__ import annotations

import argparse

import uvicorn

from simulators.conecrm import PROFILES, configured_secret, create_app
from simulators.conecrm.profiles import DEFAULT_PROFILE


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.conecrm", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    arguments = parser.parse_args()
    uvicorn.run(
        create_app(configured_secret(), profile_name=arguments.profile),
        host=arguments.host,
        port=arguments.port,
    )


if __name__ == "__main__":
    main()
