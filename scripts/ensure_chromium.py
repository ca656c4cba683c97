"""Make sure Debian's Chromium is there for the browser tests; install it when we can."""

import os
import shutil
import subprocess
import sys

CANDIDATES = ("chromium", "chromium-browser")


def find() -> str | None:
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def main() -> int:
    if find():
        return 0
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or apt is None:
        print(
            "Chromium is missing and cannot be installed here (needs root and apt-get). "
            "Install Debian's 'chromium' package; the browser tests need it.",
            file=sys.stderr,
        )
        return 1
    print("Installing Debian's chromium for the browser tests ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], check=True, env=env)  # noqa: S603
    packages = ["chromium", "fonts-dejavu-core"]
    subprocess.run([apt, "install", "-y", "-qq", *packages], check=True, env=env)  # noqa: S603
    return 0 if find() else 1


if __name__ == "__main__":
    sys.exit(main())
