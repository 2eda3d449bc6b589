/* SPDX-License-Identifier: MIT */
/*
 * The last program of tests/openposix/run.py's boots with an ext2 root:
 * pid 1 of a process server of its own (the manifest's exitstatus one),
 * it waits for a line on its standard input (the console), which run.py
 * types once every test of the boot has ended, then syncs and powers the
 * machine off as busybox's poweroff does: the disk's server writes
 * everything back, so the host's e2fsck -fn finds the disk clean.
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/reboot.h>

int main(void)
{
	char c;
	ssize_t n;

	while ((n = read(0, &c, 1)) == 1 && c != '\n')
		;
	if (n != 1) {
		printf("pts-end: reading the console: %s\n", n ? "error" : "end of file");
		return 1;
	}
	printf("pts-end: sync and power off\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	perror("pts-end: reboot");
	return 1;
}
