#!/usr/bin/env bash
# Generates an EF Core migration for every database provider from the current model.
#
#   build/add-migration.sh <Name>            add migration <Name> to the SQLite and PostgreSQL sets
#   build/add-migration.sh --postgres-initial  drop the PostgreSQL set and regenerate it as one
#                                              'Initial' migration (only while no PostgreSQL
#                                              database has been deployed from the old set)
#
# Needs dotnet-ef 10.0.15 (dotnet tool install --global dotnet-ef --version 10.0.15); see README
# "Database migrations".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$HOME/.dotnet/tools"

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -eq 1 ] || usage

add() { # provider name
  local project="src/Challenge.Migrations.$1"
  dotnet build "$project" -nologo -v quiet
  dotnet ef migrations add "$2" --project "$project" --startup-project "$project" \
    --no-build --output-dir Migrations
}

case "$1" in
  --postgres-initial)
    rm -rf src/Challenge.Migrations.Postgres/Migrations
    add Postgres Initial
    ;;
  -*) usage ;;
  *)
    add Sqlite "$1"
    add Postgres "$1"
    ;;
esac
