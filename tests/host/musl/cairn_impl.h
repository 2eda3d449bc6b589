/* SPDX-License-Identifier: MIT */
/*
 * The part of musl-port's cairn_impl.h that socket.c uses, for the host
 * test of socket.c (tests/host/test_socket.c): host.mk compiles a copy of
 * musl-port/src/cairn/socket.c with this folder on the include path, and
 * the test provides the functions (a mock network server behind
 * __cairn_ipc, a descriptor table).
 */
#ifndef HOST_MUSL_CAIRN_IMPL_H
#define HOST_MUSL_CAIRN_IMPL_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <cairn/posix.h>

#define hidden
static inline long cairn_errno(err_t e) { return -(long)e; }
enum { IPC_EINTR = 0, IPC_RESTART = 1, IPC_ALWAYS = 2 };
enum { FDK_NONE = 0, FDK_IO, FDK_DEBUG };
struct cairn_fd {
	cap_t cap;
	uint8_t kind, cloexec;
	uint8_t pipe, pwend;
	uint32_t type;
	uint64_t pos;
};
enum { PIPE_UNTRIED = 0, PIPE_MAPPED, PIPE_SERVER };
#define PIPE_SOCK 2
#define PIPE_SOCKD 3
#define FD_SOCK_KNOWN   0x10u
#define FD_SOCK_TYPE    0x0fu
struct cairn_ans {
	uint64_t w[4];
	size_t nbytes;
	unsigned ncaps;
};
struct host_ipcbuf {
	cap_t caps[4];
};
extern char host_ipc_data[];
extern struct host_ipcbuf host_ipcbuf;
static inline char *__cairn_ipc_data(void) { return host_ipc_data; }
static inline struct host_ipcbuf *cairn_ipcbuf(void) { return &host_ipcbuf; }
err_t __cairn_ipc(cap_t cap, uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		  size_t nbytes, unsigned ncaps, int intr, struct cairn_ans *a);
cap_t cairn_cap(const char *name);
struct cairn_fd *__cairn_fd(long fd);
uint32_t __cairn_fd_type(struct cairn_fd *f);
long __cairn_fd_reserve(long min);
void __cairn_fd_unreserve(long fd);
void __cairn_fd_fill(long fd, cap_t cap, int cloexec, uint32_t type);
void __cairn_io_release(cap_t cap);
err_t cairn_cap_delete(cap_t slot);
void __cairn_raise(int sig);
enum { CAIRN_UNIMP_IOCTL, CAIRN_UNIMP_FUTEX, CAIRN_UNIMP_CLOCK, CAIRN_UNIMP_OTHER };
void __cairn_unimplemented(unsigned kind, unsigned long key, const char *what);
/* unix.c's (AF_UNIX names, SCM_RIGHTS, credentials): stubs in the test */
struct sock_ux;
void __cairn_ux_self(struct sock_ux *x);
long __cairn_ux_addr_call(struct cairn_fd *f, uint32_t label, const void *addr, unsigned long len, int intr);
long __cairn_ux_key(const void *addr, unsigned long len, struct sock_ux *x);
long __cairn_ux_rights_out(const void *msg, cap_t *caps);
void __cairn_ux_rights_drop(const cap_t *caps, long n);
void __cairn_ux_rights_in(void *msg, const cap_t *caps, unsigned n, long flags);
unsigned __cairn_ux_rights_room(const void *msg);
void __cairn_random_bytes(void *buf, size_t n);

struct iov_at {
	const struct iovec *iov;
	long cnt, i;
	size_t off;
};
/* (the real one copies with musl-port's recovering routine and answers -1
 * for a bad pointer; here every pointer is good: 0) */
static inline int __cairn_iov_copy(struct iov_at *v, char *buf, size_t n, int into)
{
	while (n && v->i < v->cnt) {
		char *at = (char *)v->iov[v->i].iov_base + v->off;
		size_t k = v->iov[v->i].iov_len - v->off;

		if (k > n)
			k = n;
		if (into)
			memcpy(at, buf, k);
		else
			memcpy(buf, at, k);
		buf += k;
		n -= k;
		v->off += k;
		if (v->off == v->iov[v->i].iov_len) {
			v->i++;
			v->off = 0;
		}
	}
	return 0;
}

/* the host's memory is all good: the fault-safe copies are copies */
static inline long __cairn_ucopy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	return 0;
}

static inline int __cairn_uwrite_ok(void *p, size_t n)
{
	(void)p;
	(void)n;
	return 1;
}

static inline int scatter(struct iov_at *d, const char *src, size_t n)
{
	return __cairn_iov_copy(d, (char *)src, n, 1);
}

static inline int gather(struct iov_at *v, uint8_t *dst, size_t n)
{
	return __cairn_iov_copy(v, (char *)dst, n, 0);
}

long __cairn_socket(long domain, long type, long proto);
long __cairn_socketpair(long domain, long type, long proto, int *sv);
long __cairn_bind(long fd, const void *addr, unsigned long len);
long __cairn_listen(long fd, long backlog);
long __cairn_accept4(long fd, void *addr, unsigned *len, long flags);
long __cairn_connect(long fd, const void *addr, unsigned long len);
long __cairn_sendto(long fd, const void *buf, size_t n, long flags, const void *addr,
			   unsigned long alen);
long __cairn_recvfrom(long fd, void *buf, size_t n, long flags, void *addr, unsigned *alen);
long __cairn_sendmsg(long fd, const void *msg, long flags);
long __cairn_recvmsg(long fd, void *msg, long flags);
long __cairn_shutdown(long fd, long how);
long __cairn_sockname(long fd, void *addr, unsigned *len, int peer);
long __cairn_setsockopt(long fd, long level, long name, const void *val, unsigned long len);
long __cairn_getsockopt(long fd, long level, long name, void *val, unsigned *len);
/* write/writev of a descriptor known to be a socket: a send with no flags. */
long __cairn_sock_writev(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total);
long __cairn_sock_readv(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total);
/* pipe.c's shared rings (the test has none: a socket stays on messages) */
int __cairn_pipe_try(struct cairn_fd *f);
long __cairn_sock_ring_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek);
long __cairn_sock_ring_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock);
long __cairn_sock_rec_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek,
			   void *addr, uint32_t *alen, uint32_t *whole);
long __cairn_sock_rec_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock,
			    const void *addr, uint32_t alen);
#endif
