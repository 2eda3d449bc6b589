# SPDX-License-Identifier: MIT
#
# Cairn's user programs (scripts/user.mk). A program is a folder under
# user/ whose .c and .S files make one static ELF named after the folder;
# adding one is adding its folder and its name here (a path under user/,
# e.g. tests/ipctest: the program is named after its last part). A path
# starting with drivers/ is a userland driver's folder at the top of the
# tree (drivers/ holds every driver; the kernel links only the files
# drivers/Build.mk names). A file named *-linux.c in a program's folder is
# the Linux peer's side of a benchmark (tests/bench.sh builds it), not
# part of the program.
# <name>-src lists sources from outside its folder (lib/ code shared with
# the kernel).
# Every program listed goes into every boot image as bin/<name>; a
# manifest (user/manifests/) says which ones run.

user-progs := init hello crasher bench tests/fptest
user-progs += tests/ipctest tests/ktest tests/kfuzz
user-progs += drivers/virtio_rng tests/rngtest
user-progs += drivers/virtio_blk tests/blktest blkbench
user-progs += drivers/virtio_net tests/nettest tests/socktest
user-progs += servers/console tests/ttytest tests/ttyecho tests/ttysig
user-progs += servers/proc tests/proctest
user-progs += servers/vfs tests/vfstest tests/ext2test
user-progs += servers/devmgr tests/devtest tests/stubdrv
user-progs += servers/entropy tests/entropytest tests/launchtest tests/deathtest

init-src := lib/cpio.c lib/manifest.c
bench-src := lib/cpio.c
tests/ktest-src := lib/cpio.c
servers/proc-src := lib/cpio.c
tests/proctest-src := lib/cpio.c
servers/vfs-src := lib/cpio.c
tests/vfstest-src := lib/cpio.c
tests/blktest-src := lib/cpio.c
tests/deathtest-src := lib/cpio.c
# The virtio library (drivers/virtio/): every virtio driver links it.
virtio-lib := drivers/virtio/virtq.c drivers/virtio/transport.c drivers/virtio/caps.c
drivers/virtio_blk-src := $(virtio-lib)
drivers/virtio_rng-src := $(virtio-lib)
drivers/virtio_net-src := $(virtio-lib)
tests/nettest-src := lib/cpio.c
servers/devmgr-src := lib/cpio.c

# <name>-libs: libraries from outside user/ a program links (fdt: libfdt)
servers/devmgr-libs := fdt

# The manifests whose boot images are a whole system: busybox (built from
# Debian's source by scripts/busybox.mk: bin/busybox and a link per applet)
# and the files of user/rootfs/ (/etc), with only the programs of
# rootfs-progs from the list above (the POSIX world's servers), not the
# test programs. Add your own files under user/rootfs/ (or
# ./qemu-run.sh --add HOST:GUEST). shellbench is make bench's system boot
# (tests/bench.sh): the default boot under another name.
rootfs-manifests := default shellbench
rootfs-progs := init servers/vfs servers/console servers/proc servers/entropy servers/devmgr \
		drivers/virtio_rng drivers/virtio_blk drivers/virtio_net servers/ext2 servers/net

# Programs of the Cairn C toolchain (musl-port, <arch>-cairn-gcc) that go
# into boot images as bin/<name> like the ones above: a folder under user/
# whose .c files make the program, with <name>-musl-src from elsewhere
# (libcairn's server skeleton and clients, built for musl-port) and
# <name>-musl-libs (e2fs: libext2fs, scripts/e2fs.mk). They go into the
# whole-system images (rootfs-manifests) and into any other image whose
# manifest names bin/<name>.
musl-progs := servers/ext2 servers/net
servers/ext2-musl-src := user/lib/server.c user/lib/musl/thread.c user/lib/fmap.c user/lib/lockf.c user/lib/cred.c user/lib/blk.c user/lib/dev.c lib/err.c
servers/ext2-musl-libs := e2fs
# alloc.c: libext2fs's block buffers kept between uses
servers/ext2-musl-ldflags := -Wl,--wrap=malloc -Wl,--wrap=free
# the network server: lwIP (scripts/lwip.mk), configured by user/servers/net/port/
servers/net-musl-src := user/lib/server.c user/lib/musl/thread.c user/lib/dev.c lib/err.c
servers/net-musl-libs := lwip
