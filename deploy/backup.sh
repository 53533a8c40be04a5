#!/usr/bin/env bash
# Back up Luukku: the PostgreSQL database, the media files, and a manifest to verify a restore.
#
#   DATABASE_URL=postgres://luukku@db.internal/luukku deploy/backup.sh [DESTINATION]
#
# Writes DESTINATION/luukku-YYYYMMDDTHHMMSSZ/ (DESTINATION defaults to $BACKUP_DIR, else
# ./backups in the project) holding
#   database.dump  pg_dump's custom format (-Fc), restored with deploy/restore.sh
#   media.tar      MEDIA_ROOT (uploaded photos), taken after the dump
#   manifest.json  every table's row count and checksum, in the dump's own snapshot
#   SHA256SUMS     checksums of the three files, checked before a restore
# The directory is built as NAME.partial and renamed when complete, so a directory without
# .partial is a whole backup. Prints its path. Environment: DATABASE_URL (required), MEDIA_ROOT
# (default: media/ in the project), PG_BIN (directory of pg_dump, default /usr/bin), PYTHON
# (default: the project's .venv). The files hold personal data: see docs/operations.md, "Backups".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
pg_bin="${PG_BIN:-/usr/bin}"
media_root="${MEDIA_ROOT:-$root/media}"
destination="${1:-${BACKUP_DIR:-$root/backups}}"

if [[ ! "${DATABASE_URL:-}" =~ ^postgres(ql)?:// ]]; then
    echo "backup.sh: set DATABASE_URL to the PostgreSQL database to back up (postgres://...)" >&2
    exit 2
fi

umask 077
mkdir -p "$destination"
name="luukku-$(date -u +%Y%m%dT%H%M%SZ)"
work="$destination/$name.partial"
mkdir "$work"
trap 'echo "backup.sh: failed; $work is incomplete" >&2' ERR

# pg_dump runs inside the snapshot the manifest is computed in: both describe the same moment
# even while the application keeps writing.
"$python" "$root/manage.py" table_checksums --database-url "$DATABASE_URL" \
    --output "$work/manifest.json" -- \
    "$pg_bin/pg_dump" --format=custom --snapshot='{snapshot}' --file="$work/database.dump" \
    --dbname="$DATABASE_URL"

# Media after the dump: every file a dumped row names was written before the dump began.
if [[ -d "$media_root" ]]; then
    tar --create --file="$work/media.tar" --directory="$media_root" .
else
    echo "backup.sh: no media directory at $media_root; media.tar is empty" >&2
    tar --create --file="$work/media.tar" --files-from=/dev/null
fi

(cd "$work" && sha256sum database.dump media.tar manifest.json >SHA256SUMS)
mv "$work" "$destination/$name"
echo "$destination/$name"
