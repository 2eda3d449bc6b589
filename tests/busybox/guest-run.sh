#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Busybox's own testsuite, run from /bbtest: the driver that tests/busybox/run.py
# starts as pid 1 of Cairn's POSIX world (`/bin/sh /bbtest/guest-run.sh`), and
# the same way as pid 1 of a Linux chroot of the same tree for the Linux
# reference. Busybox's sh runs it (busybox's ash); it uses nothing but busybox.
#
# /bbtest holds what busybox's source tree holds for its tests (run.py puts it
# there): busybox (a link to /bin/busybox), .config, testsuite/, examples/,
# shell/ash_test/ with its helpers printenv, recho, zecho built for the
# target, and units: the list of what to run, one line each:
#   runtest APPLET    busybox's testsuite/runtest for APPLET
#   ash_test MODULE   busybox's shell/ash_test/run-all for MODULE (ash-misc, ...)
# The runtest units of a boot are one run of runtest, so that its links
# folder (one link per applet) is made once: `runtest m_A A m_B B ...`,
# where m_A is a test of runtest's own kind that only says which applet
# comes next (runtest runs any testsuite/all_*.tests it is given).
#
# Output, besides what the tests print: runtest's own lines, one a test
#   PASS: NAME | FAIL: NAME | SKIPPED: NAME | UNTESTED: NAME
# run-all's lines, one a test: `MODULE/FILE: ok` or `MODULE/FILE: fail`; and
#   bbtest: start
#   bbtest: unit runtest APPLET | bbtest: unit ash_test MODULE   (before each)
#   bbtest: end
# run.py reads them. The exit status is 0 when the driver itself got to the
# end, whatever the tests did (pid 1's status is the boot's).

exec </dev/null 2>&1
unset LANG LANGUAGE LC_ALL LC_COLLATE LC_CTYPE LC_MONETARY LC_MESSAGES LC_NUMERIC LC_TIME
# a login shell's environment (busybox sh as root)
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root SHELL=/bin/sh USER=root LOGNAME=root
export VERBOSE=${VERBOSE-1}
top=/bbtest
units=${1:-$top/units}
cd "$top" || { echo "bbtest: error: no $top"; exit 1; }
[ -f "$units" ] || { echo "bbtest: error: no units file $units"; exit 1; }
echo "bbtest: start"

args=
while read -r kind name; do
	[ "$kind" = runtest ] || continue
	# the marker: a runtest test that prints the unit line
	m=all_cairn_mark_$name
	printf '#!/bin/sh\necho "bbtest: unit runtest %s"\n' "$name" > "testsuite/$m.tests"
	args="$args $m $name"
done < "$units"
if [ -n "$args" ]; then
	chmod +x testsuite/all_cairn_mark_*.tests
	# runtest's links folder: one link per applet, made once
	(cd testsuite && ./runtest $args)
	rm -f testsuite/all_cairn_mark_*.tests
fi

while read -r kind name; do
	[ "$kind" = ash_test ] || continue
	echo "bbtest: unit ash_test $name"
	# (stdin: not the list of units, which a test reading its stdin would eat)
	(cd shell/ash_test && ./run-all "$name" </dev/null)
	# run-all keeps a failed test's diff in NAME-TEST.fail
	if [ -n "$VERBOSE" ]; then
		for f in shell/ash_test/"$name"-*.fail; do
			[ -f "$f" ] || continue
			echo "bbtest: diff of ${f##*/}"
			cat "$f"
		done
	fi
done < "$units"

echo "bbtest: end"
exit 0
