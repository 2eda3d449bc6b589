# SPDX-License-Identifier: MIT
#
# busybox's mount, umount and df on a second disk, in Cairn: run as
# `./qemu-run.sh --disk D0 --disk D1 --disk D2 --add THIS:/diskmount.sh
# --exec build/<arch>/busybox/busybox sh /diskmount.sh` (tests/run-all.sh,
# diskmount_tests; the disks of diskmount_images: blk1 made by mke2fs -d
# with /hello.txt, blk2 no file system). One ok line a test, then
# "N passed, N failed"; the exit status is the number of failures.
# (A guest script for busybox's sh: busybox is /bin/busybox, no links.)
B=/bin/busybox
n=0 failed=0
t() {   # t NAME COMMAND...: ok when COMMAND succeeds
  name=$1
  shift
  n=$((n + 1))
  if "$@" >/tmp/out 2>&1; then
    echo "ok $n busybox-diskmount.$name"
  else
    failed=$((failed + 1))
    echo "not ok $n busybox-diskmount.$name: $($B head -c 300 /tmp/out | $B tr '\n' ' ')"
  fi
}
fails() { ! "$@"; }
has() { $B grep -q "$2" "$1"; }

$B mkdir -p /tmp/m
t dev_lists $B sh -c "$B ls -l /dev/blk1 | $B grep -q '^b'"
t mount_t_ext2 $B mount -t ext2 /dev/blk1 /tmp/m
t cat_host_file has /tmp/m/hello.txt "hello from the host's mke2fs"
t mount_lists $B sh -c "$B mount | $B grep -q '^/dev/blk1 on /tmp/m type ext2 (rw'"
t df_lists $B sh -c "$B df /tmp/m > /tmp/df; $B grep -q '^/dev/blk1 .* /tmp/m\$' /tmp/df || { $B cat /tmp/df; false; }"
t write $B sh -c "echo 'written by busybox' > /tmp/m/bb.txt"
t umount_busy $B sh -c "cd /tmp/m && ! $B umount /tmp/m"
t umount $B umount /tmp/m
t gone fails $B test -e /tmp/m/hello.txt
# without -t: busybox tries the types of /proc/filesystems without nodev
t mount_autodetect $B mount /dev/blk1 /tmp/m
t read_back has /tmp/m/bb.txt "written by busybox"
t umount_again $B umount /tmp/m
t mount_ro $B mount -o ro /dev/blk1 /tmp/m
t mount_ro_lists $B grep -q '^/dev/blk1 /tmp/m ext2 ro' /proc/mounts
t write_erofs $B sh -c "! { echo x > /tmp/m/new.txt; } 2>/tmp/err && $B grep -q 'Read-only file system' /tmp/err"
t umount_ro $B umount /tmp/m
t not_ext2 $B sh -c "! $B mount -t ext2 /dev/blk2 /tmp/m 2>/tmp/err && $B grep -q 'Invalid argument' /tmp/err"
t no_such_disk $B sh -c "! $B mount -t ext2 /dev/blk7 /tmp/m 2>/tmp/err && $B grep -q 'No such file or directory' /tmp/err"
t root_still_works $B sh -c "echo fine > /mnt/after.txt && $B grep -q fine /mnt/after.txt"
t nothing_left $B sh -c "! $B grep -q 'blk[12]' /proc/mounts"
echo "$((n - failed)) passed, $failed failed"
exit $failed
