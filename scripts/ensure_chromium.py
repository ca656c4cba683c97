"""Make sure what the tests run besides Python is there: Debian's Chromium for the browser tests
and curl for the README's API examples (tests/api/test_readme_examples.py); install them when
we can."""

import os
import shutil
import subprocess
import sys

CANDIDATES = ("chromium", "chromium-browser")


def find() -> str | None:
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def missing() -> list[str]:
    """The Debian packages to install: Chromium (with a font) and curl, where absent."""
    packages = [] if find() else ["chromium", "fonts-dejavu-core"]
    return packages + ([] if shutil.which("curl") else ["curl"])


def main() -> int:
    packages = missing()
    if not packages:
        return 0
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or apt is None:
        print(
            f"{', '.join(packages)} missing and cannot be installed here (needs root and "
            "apt-get). Install Debian's packages; the browser tests need Chromium, the API "
            "examples' test curl.",
            file=sys.stderr,
        )
        return 1
    print(f"Installing Debian's {' '.join(packages)} for the tests ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], check=True, env=env)  # noqa: S603
    subprocess.run([apt, "install", "-y", "-qq", *packages], check=True, env=env)  # noqa: S603
    return 0 if not missing() else 1


if __name__ == "__main__":
    sys.exit(main())
