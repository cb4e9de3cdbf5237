"""Every ``"schema"`` trtsetup writes, in one table (``docs/json.md`` documents each row; a
test checks the two agree). Imports nothing, so any layer may name its schema from here.

A new document type: add a row (name, what writes it), use the constant, and describe it in
docs/json.md. A key never changes meaning without a new number.
"""

DOCTOR = "trtsetup.doctor/1"
CHECKS = "trtsetup.checks/1"
PLAN = "trtsetup.plan/1"
INSTALL = "trtsetup.install/1"
PATCH = "trtsetup.patch/1"
SELFTEST = "trtsetup.selftest/1"
ERROR = "trtsetup.error/1"
SNAPSHOT = "trtsetup.snapshot/1"
FLEET_REPORT = "trtsetup.fleet-report/1"
BUNDLE = "trtsetup.bundle/1"
FACT = "trtsetup.fact/1"
DOCKER_CSV = "trtsetup.docker-csv/1"
DOCKER_CSV_PRINT = "trtsetup.docker-csv-print/1"
DOCKER_IMAGE = "trtsetup.docker-image/1"

# name -> what prints or writes it. Documents on stdout first, then files.
SCHEMAS = (
    (DOCTOR, "doctor --json"),
    (CHECKS, "doctor --list-checks --json"),
    (PLAN, "plan --json"),
    (INSTALL, "install --json"),
    (PATCH, "patch --json"),
    (SELFTEST, "selftest --json"),
    (FLEET_REPORT, "fleet report --json"),
    (BUNDLE, "bundle --json; manifest.json inside a bundle (docs/bundle.md)"),
    (DOCKER_CSV, "docker csv --check --json"),
    (DOCKER_CSV_PRINT, "docker csv --print/--write --json"),
    (DOCKER_IMAGE, "docker image --json"),
    (ERROR, "any command with --json that could not run"),
    (SNAPSHOT, "snapshot -o FILE (docs/snapshot.md)"),
    (FACT, "/etc/ansible/facts.d/trtsetup.fact, written by the Ansible role (ansible/)"),
)
# Later rows (docker, fleet bundles, ...) go above ERROR, one line each.

NAMES = frozenset(name for name, _ in SCHEMAS)
