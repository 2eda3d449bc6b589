#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The default boot's manifest (user/manifests/default.manifest) writes out
# the POSIX world's services by hand, since a manifest is a plain file; this
# checks they are still what scripts/posix-manifest.sh prints, so the two
# definitions cannot drift apart. One ok/not ok line.
set -uo pipefail
cd "$(dirname "$0")/.."
m=user/manifests/default.manifest
want=$( { bash scripts/posix-manifest.sh servers --signals --uart --devices --disk blk0 --net &&
          bash scripts/posix-manifest.sh proc proc 256M --signals --exitstatus --net -- --init /sbin/init; } )
have=$(grep -v '^#' "$m")
if [ "$have" = "$want" ]; then
  echo "ok 1 default-manifest: $m is scripts/posix-manifest.sh's POSIX world"
else
  echo "not ok 1 default-manifest: $m differs from scripts/posix-manifest.sh's POSIX world"
  diff <(echo "$want") <(echo "$have") | sed 's/^/#   /'
  exit 1
fi
