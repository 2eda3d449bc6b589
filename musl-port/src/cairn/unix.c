/* SPDX-License-Identifier: MIT */
/*
 * AF_UNIX sockets: the parts socket.c leaves to this file (include/cairn/sock.h,
 * docs/net.md "Unix domain sockets").
 *
 * - A path name lives in the file system as a socket node whose st_rdev
 *   is the network server's key for the socket: bind asks the server for
 *   the name (its answer is the key), then makes the node (FS_MKNOD; it
 *   exists: EADDRINUSE, and the server forgets the name); connect and
 *   sendto stat the path (ENOENT, ENOTDIR...; not a socket node:
 *   ECONNREFUSED) and send the key. Abstract names (sun_path[0] == 0) go
 *   to the server as they are.
 * - SO_PEERCRED: bind, connect, socket and socketpair tell the server the
 *   caller's pid and effective uid (gid 0: Cairn has no groups).
 * - SCM_RIGHTS: each descriptor goes as its capability, with a reference
 *   of its own in its server (IO_DUP, as dup does), which the receiver's
 *   new descriptor then holds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <cairn/sock.h>
#include "kstat.h"
#include "cairn_impl.h"

void __cairn_ux_self(struct sock_ux *x)
{
	memset(x, 0, sizeof(*x));
	x->pid = (uint32_t)__cairn_getpid();
	x->uid = (uint32_t)__cairn_getuids(1, 0, 0, 0);
}

/* The path of an AF_UNIX address (NUL-terminated into out, 109 bytes), or
 * 0 when it names no path (abstract, or no name). */
static int path_of(const void *addr, unsigned long len, char *out)
{
	const struct sockaddr_un *sun = addr;
	size_t n = 0;

	if (len <= offsetof(struct sockaddr_un, sun_path) || !sun->sun_path[0])
		return 0;
	len -= offsetof(struct sockaddr_un, sun_path);
	while (n < len && n < sizeof(sun->sun_path) && sun->sun_path[n]) {
		out[n] = sun->sun_path[n];
		n++;
	}
	out[n] = 0;
	return 1;
}

static long key_of(const char *path, uint64_t *key)
{
	struct kstat st;
	long r;

	if ((r = __cairn_fstatat(AT_FDCWD, path, &st, 0)))
		return r;
	if (!S_ISSOCK(st.st_mode) || !st.st_rdev)
		return -ECONNREFUSED;
	*key = st.st_rdev;
	return 0;
}

long __cairn_ux_key(const void *addr, unsigned long len, struct sock_ux *x)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	memset(x, 0, sizeof(*x));
	return path_of(addr, len, path) ? key_of(path, &x->key) : 0;
}

long __cairn_ux_addr_call(struct cairn_fd *f, uint32_t label, const void *addr, unsigned long len, int intr)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	char *d = __cairn_ipc_data();
	int named = path_of(addr, len, path);
	size_t pad = SOCK_ADDR_PAD(len);
	struct sock_ux x;
	struct cairn_ans a;
	long r;
	err_t e;

	__cairn_ux_self(&x);
	if (label == SOCK_CONNECT && named && (r = key_of(path, &x.key)))
		return r;
	memcpy(d, addr, len);
	memset(d + len, 0, pad - len);
	memcpy(d + pad, &x, sizeof(x));
	e = __cairn_ipc(f->cap, label, len, SOCK_UX_KEYED, 0, 0, pad + sizeof(x), 0, intr, &a);
	if (e)
		return e == ERR_NOSYS ? -ENOTSOCK : cairn_errno(e);
	if (label != SOCK_BIND || !named)
		return 0;
	if ((r = __cairn_mknodat(AT_FDCWD, path, S_IFSOCK | 0777, a.w[0]))) {
		__cairn_ipc(f->cap, SOCK_BIND, 0, SOCK_UX_UNDO, 0, 0, 0, 0, IPC_ALWAYS, NULL);
		return r == -EEXIST ? -EADDRINUSE : r;
	}
	return 0;
}

/* ---- SCM_RIGHTS ----------------------------------------------------------------------------- */

void __cairn_ux_rights_drop(const cap_t *caps, long n)
{
	for (long i = 0; i < n; i++)
		__cairn_io_release(caps[i]);
}

long __cairn_ux_rights_out(const void *m, cap_t *caps)
{
	const struct msghdr *msg = m;
	long n = 0;

	if (!msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
		return 0;
	/* past SCM_MAX_FD: Linux's EINVAL, before anything is duplicated */
	size_t all = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c))
		if (c->cmsg_len >= CMSG_LEN(0) && c->cmsg_len <= msg->msg_controllen)
			all += (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (all > SOCK_RIGHTS_LIMIT)
		return -EINVAL;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		size_t k;

		if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > msg->msg_controllen) {
			__cairn_ux_rights_drop(caps, n);
			return -EINVAL;
		}
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			__cairn_ux_rights_drop(caps, n);
			return -EINVAL;              /* SCM_CREDENTIALS: not yet */
		}
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			struct cairn_fd *f;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (!(f = __cairn_fd(fd)) || f->kind != FDK_IO) {
				__cairn_ux_rights_drop(caps, n);
				return -EBADF;
			}
			if (n == SOCK_RIGHTS_LIMIT) {
				__cairn_ux_rights_drop(caps, n);
				return -EINVAL;            /* past SCM_MAX_FD: Linux's EINVAL */
			}
			__cairn_fmap_unlease(f);          /* the offset is shared from now on */
			if (__cairn_io_dup(f->cap, &caps[n])) {
				__cairn_ux_rights_drop(caps, n);
				return -EBADF;
			}
			n++;
		}
	}
	return n;
}

unsigned __cairn_ux_rights_room(const void *m)
{
	const struct msghdr *msg = m;

	if (!msg->msg_control || msg->msg_controllen < CMSG_LEN(sizeof(int)))
		return 0;
	return (unsigned)((msg->msg_controllen - CMSG_LEN(0)) / sizeof(int));
}

void __cairn_ux_rights_in(void *m, const cap_t *caps, unsigned n, long flags)
{
	struct msghdr *msg = m;
	unsigned room = __cairn_ux_rights_room(msg), k = 0;
	struct cmsghdr *c = msg->msg_control;

	for (unsigned i = 0; i < n; i++) {
		long fd = -1;

		if (k < room)
			fd = __cairn_fd_install(0, caps[i], FDK_IO, !!(flags & MSG_CMSG_CLOEXEC), 0);
		if (fd < 0) {
			__cairn_io_release(caps[i]);
			msg->msg_flags |= MSG_CTRUNC;
			continue;
		}
		memcpy(CMSG_DATA(c) + k * sizeof(int), &(int){ (int)fd }, sizeof(int));
		k++;
	}
	if (!k) {
		msg->msg_controllen = 0;
		return;
	}
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(k * sizeof(int));
	msg->msg_controllen = CMSG_SPACE(k * sizeof(int)) < msg->msg_controllen ? CMSG_SPACE(k * sizeof(int))
									       : msg->msg_controllen;
}
