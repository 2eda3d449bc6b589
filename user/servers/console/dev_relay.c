/* SPDX-License-Identifier: MIT */
/*
 * The character device under the tty, for now: the kernel's own UART
 * driver, through the DebugConsole capability named "console" (rights r
 * and w). The kernel keeps what the UART receives in a small ring (256
 * bytes) until DEBUG_READ takes it, and signals the Notification bound
 * with DEBUG_BIND_INPUT on each arrival; DEBUG_WRITE prints.
 *
 * The kernel's console driver turns every "\n" into "\r\n" itself, so a
 * "\r\n" the line discipline made (ONLCR) goes out as "\n" here, or the
 * terminal would see "\r\r\n". (What it cannot undo: with ONLCR off, a
 * lone "\n" still leaves as "\r\n".)
 *
 * The userland 16550 driver (dev_16550.c) takes the device instead when
 * the server holds irqctl and mmioctl or ioportctl (dev.c chooses).
 */
#include <string.h>
#include "console.h"

#define RELAY_MAX ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8)   /* DEBUG_READ's most */

static cap_t dc = CAP_NULL;

const char *relay_name(void)
{
	return "the kernel console (DebugConsole relay)";
}

err_t relay_init(cap_t notify, uint64_t bit)
{
	dc = cairn_console_cap();
	if (dc == CAP_NULL)
		return ERR_NOENT;
	return cairn_invoke_cap(dc, DEBUG_BIND_INPUT, notify, bit, 0, 0, 0, NULL);
}

size_t relay_read(char *buf, size_t max)
{
	struct cairn_msg m;
	size_t n;

	if (max > RELAY_MAX)
		max = RELAY_MAX;
	if (cairn_invoke(dc, DEBUG_READ, 0, max, 0, 0, 0, &m))
		return 0;
	n = m.w[0];
	if (n > max)
		n = max;
	memcpy(buf, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], n);
	return n;
}

void relay_write(const char *s, size_t n)
{
	static char buf[TTY_OUT_SIZE];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		buf[k++] = s[i];
		if (k == sizeof(buf)) {
			cairn_console_write(buf, k);
			k = 0;
		}
	}
	if (k)
		cairn_console_write(buf, k);
}
