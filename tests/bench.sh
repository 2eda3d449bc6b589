#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: benchmarks under qemu -icount shift=0, reported in guest
# instructions per operation. None exist yet: the first (null system call,
# IPC round trip, ring batch, notification, thread switch) come with the
# capability/IPC work.
echo "make bench: no benchmarks yet (they arrive with system calls and IPC)" >&2
exit 2
