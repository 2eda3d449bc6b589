/* SPDX-License-Identifier: MIT */
/*
 * Descriptors, for now: 0, 1 and 2 are the kernel's DebugConsole (the
 * capability named "console") until the console server exists. Writes go
 * out at once (musl's stdio already buffers a line for a terminal), a
 * writev as few DEBUG_WRITE calls as its bytes need, so a line written
 * with one call arrives whole; reads see end of file; the descriptors
 * answer the terminal ioctls TIOCGWINSZ and TCGETS, so isatty() is true
 * for them. No other descriptor exists: EBADF. Without a "console"
 * capability there is no descriptor at all.
 */
#define _GNU_SOURCE     /* ECHOCTL, ECHOKE */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <termios.h>
#include "cairn_impl.h"

#define GATHER_MAX  ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8)

static unsigned closed_mask;          /* bit fd: closed by the program */
static char gather[GATHER_MAX];
static size_t gathered;

int __cairn_fd_is_console(long fd)
{
	return fd >= 0 && fd <= 2 && !(closed_mask >> fd & 1) && cairn_console_cap() != CAP_NULL;
}

long __cairn_read(long fd, void *buf, size_t n)
{
	if (!__cairn_fd_is_console(fd))
		return -EBADF;
	return 0;      /* no input until the console server exists */
}

static long check_iov(const struct iovec *iov, long cnt, size_t *total)
{
	size_t sum = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - sum)
			return -EINVAL;
		sum += iov[i].iov_len;
	}
	*total = sum;
	return 0;
}

long __cairn_readv(long fd, const void *iov, long cnt)
{
	size_t total;
	long r;

	if (!__cairn_fd_is_console(fd))
		return -EBADF;
	if ((r = check_iov(iov, cnt, &total)))
		return r;
	return 0;
}

static err_t flush_gather(void)
{
	err_t e = gathered ? cairn_console_write(gather, gathered) : ERR_OK;

	gathered = 0;
	return e;
}

long __cairn_write(long fd, const void *buf, size_t n)
{
	err_t e;

	if (!__cairn_fd_is_console(fd))
		return -EBADF;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	if ((e = cairn_console_write(buf, n)))
		return cairn_errno(e);
	return (long)n;
}

long __cairn_writev(long fd, const void *v, long cnt)
{
	const struct iovec *iov = v;
	size_t total;
	long r;
	err_t e;

	if (!__cairn_fd_is_console(fd))
		return -EBADF;
	if ((r = check_iov(iov, cnt, &total)))
		return r;
	for (long i = 0; i < cnt; i++) {
		const char *p = iov[i].iov_base;
		size_t len = iov[i].iov_len;

		while (len) {
			size_t k = GATHER_MAX - gathered;

			if (k > len)
				k = len;
			memcpy(gather + gathered, p, k);
			gathered += k;
			p += k;
			len -= k;
			if (gathered == GATHER_MAX && (e = flush_gather()))
				return cairn_errno(e);
		}
	}
	if ((e = flush_gather()))
		return cairn_errno(e);
	return (long)total;
}

long __cairn_close(long fd)
{
	if (!__cairn_fd_is_console(fd))
		return -EBADF;
	closed_mask |= 1u << fd;
	return 0;
}

long __cairn_lseek(long fd, long off, long whence)
{
	if (!__cairn_fd_is_console(fd))
		return -EBADF;
	return -ESPIPE;
}

/* The settings a Linux console in cooked mode reports. TCGETS fills the
 * kernel's struct termios, which ends after c_cc[19]. */
static void console_termios(struct termios *t)
{
	static const unsigned char cc[] = {
		[VINTR] = 3, [VQUIT] = 28, [VERASE] = 127, [VKILL] = 21, [VEOF] = 4,
		[VTIME] = 0, [VMIN] = 1, [VSTART] = 17, [VSTOP] = 19, [VSUSP] = 26,
		[VREPRINT] = 18, [VDISCARD] = 15, [VWERASE] = 23, [VLNEXT] = 22,
	};

	memset(t, 0, offsetof(struct termios, c_cc) + 19);
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B115200 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->c_cc, cc, sizeof(cc));
}

long __cairn_ioctl(long fd, unsigned long req, void *arg)
{
	if (!__cairn_fd_is_console(fd))
		return -EBADF;
	switch (req) {
	case TIOCGWINSZ: {
		struct winsize ws = { .ws_row = 24, .ws_col = 80 };
		memcpy(arg, &ws, sizeof(ws));
		return 0;
	}
	case TCGETS:
		console_termios(arg);
		return 0;
	}
	char what[64] = "ioctl 0x";
	size_t n = strlen(what);
	for (int sh = 28; sh >= 0; sh -= 4)
		what[n++] = "0123456789abcdef"[(req >> sh) & 15];
	strcpy(what + n, " on the console");
	__cairn_unimplemented(CAIRN_UNIMP_IOCTL, req, what);
	return -ENOTTY;
}
