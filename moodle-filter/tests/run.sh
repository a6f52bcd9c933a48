#!/usr/bin/env bash
# The Moodle filter's checks that need no Moodle: `php -l` on every PHP file, then PHPUnit on the
# Moodle-free core (phpunit.xml). Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v php >/dev/null || { echo "moodle-filter: php is missing (Debian: apt-get install php-cli)" >&2; exit 1; }
command -v phpunit >/dev/null || { echo "moodle-filter: phpunit is missing (Debian: apt-get install phpunit)" >&2; exit 1; }

count=0
while IFS= read -r -d '' file; do
  php -l "$file" >/dev/null || { php -l "$file"; exit 1; }
  count=$((count + 1))
done < <(find . -name '*.php' -not -path './node_modules/*' -print0)
echo "php -l: $count files, no syntax errors"

phpunit --configuration phpunit.xml "$@"
