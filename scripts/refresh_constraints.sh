#!/usr/bin/env bash
# Re-resolve the newest versions requirements.txt allows, in a throwaway virtualenv, and write them to
# constraints.txt (which requirements.txt and .ci/run install with). Run the test suite after refreshing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q --no-deps -r requirements-extras.txt
grep -v '^-c ' requirements.txt > "$venv/requirements-unpinned.txt"
"$venv/bin/pip" install -q -r "$venv/requirements-unpinned.txt"
{
  echo "# Versions the test suite passed with; refresh with scripts/refresh_constraints.sh, then run the tests."
  "$venv/bin/pip" freeze --exclude-editable | sed -E 's/\+cpu$//'
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) pins)"
