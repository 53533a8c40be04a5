#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY PostgreSQL database and prove it whole.
#
#   deploy/restore.sh BACKUP_DIRECTORY TARGET_DATABASE_URL [MEDIA_DIRECTORY]
#
# 1. Checks the backup's files against its SHA256SUMS.
# 2. Refuses unless the target database holds no tables, views or sequences: a restore never
#    writes over a database someone uses. Create one first: createdb -T template0 NAME.
# 3. pg_restore --no-owner --exit-on-error --single-transaction: all or nothing.
# 4. With MEDIA_DIRECTORY (which must be missing or empty), unpacks media.tar there.
# 5. Computes every table's row count and checksum on the restored database and compares them
#    with the backup's manifest.json. Exit 0: every table matches. Exit 1: the differences are
#    listed, one line per table (and per sequence behind its column).
# Environment: PG_BIN (directory of pg_restore and psql, default /usr/bin), PYTHON (default: the
# project's .venv), PG_RESTORE_OPTIONS (extra pg_restore options, e.g. --no-privileges when
# the roles the dump grants to do not exist on the target server).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
pg_bin="${PG_BIN:-/usr/bin}"

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: deploy/restore.sh BACKUP_DIRECTORY TARGET_DATABASE_URL [MEDIA_DIRECTORY]" >&2
    exit 2
fi
backup="$1"
target="$2"
media="${3:-}"

if [[ ! "$target" =~ ^postgres(ql)?:// ]]; then
    echo "restore.sh: the target must be a PostgreSQL URL (postgres://...)" >&2
    exit 2
fi
for file in database.dump media.tar manifest.json SHA256SUMS; do
    if [[ ! -f "$backup/$file" ]]; then
        echo "restore.sh: $backup/$file is missing: not a complete backup" >&2
        exit 2
    fi
done
if ! (cd "$backup" && sha256sum --check --quiet SHA256SUMS); then
    echo "restore.sh: the backup's files do not match SHA256SUMS: damaged, refusing" >&2
    exit 2
fi

relations="$("$pg_bin/psql" --no-psqlrc --tuples-only --no-align --dbname="$target" --command="
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'")"
if [[ "$relations" != "0" ]]; then
    echo "restore.sh: the target database is not empty ($relations tables, views or sequences)." >&2
    echo "restore.sh: restore only into a new, empty database (createdb -T template0 NAME)." >&2
    exit 2
fi
if [[ -n "$media" && -d "$media" && -n "$(ls -A "$media")" ]]; then
    echo "restore.sh: the media directory $media is not empty; give a new one" >&2
    exit 2
fi

started=$(date +%s)
# shellcheck disable=SC2086  # PG_RESTORE_OPTIONS is a list of options
"$pg_bin/pg_restore" --no-owner --exit-on-error --single-transaction ${PG_RESTORE_OPTIONS:-} \
    --dbname="$target" "$backup/database.dump"
echo "restore.sh: database restored in $(($(date +%s) - started)) s" >&2

if [[ -n "$media" ]]; then
    mkdir -p "$media"
    tar --extract --file="$backup/media.tar" --directory="$media"
    echo "restore.sh: media unpacked into $media ($(find "$media" -type f | wc -l) files)" >&2
fi

"$python" "$root/manage.py" table_checksums --database-url "$target" \
    --compare "$backup/manifest.json"
