/* SPDX-License-Identifier: MIT */
/* Names for err_t values, for log lines and test output. */
#include <cairn/err.h>

const char *err_name(err_t e)
{
	switch (e) {
	case ERR_OK: return "OK";
	case ERR_PERM: return "EPERM";
	case ERR_NOENT: return "ENOENT";
	case ERR_SRCH: return "ESRCH";
	case ERR_INTR: return "EINTR";
	case ERR_IO: return "EIO";
	case ERR_2BIG: return "E2BIG";
	case ERR_NOEXEC: return "ENOEXEC";
	case ERR_BADF: return "EBADF";
	case ERR_AGAIN: return "EAGAIN";
	case ERR_NOMEM: return "ENOMEM";
	case ERR_ACCES: return "EACCES";
	case ERR_FAULT: return "EFAULT";
	case ERR_BUSY: return "EBUSY";
	case ERR_NOTBLK: return "ENOTBLK";
	case ERR_EXIST: return "EEXIST";
	case ERR_NODEV: return "ENODEV";
	case ERR_INVAL: return "EINVAL";
	case ERR_NOSPC: return "ENOSPC";
	case ERR_PIPE: return "EPIPE";
	case ERR_MSGSIZE: return "EMSGSIZE";
	case ERR_NOTSOCK: return "ENOTSOCK";
	case ERR_DESTADDRREQ: return "EDESTADDRREQ";
	case ERR_PROTOTYPE: return "EPROTOTYPE";
	case ERR_NOPROTOOPT: return "ENOPROTOOPT";
	case ERR_PROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ERR_SOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case ERR_AFNOSUPPORT: return "EAFNOSUPPORT";
	case ERR_ADDRINUSE: return "EADDRINUSE";
	case ERR_ADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ERR_NETDOWN: return "ENETDOWN";
	case ERR_NETUNREACH: return "ENETUNREACH";
	case ERR_CONNABORTED: return "ECONNABORTED";
	case ERR_CONNRESET: return "ECONNRESET";
	case ERR_NOBUFS: return "ENOBUFS";
	case ERR_ISCONN: return "EISCONN";
	case ERR_NOTCONN: return "ENOTCONN";
	case ERR_CONNREFUSED: return "ECONNREFUSED";
	case ERR_HOSTUNREACH: return "EHOSTUNREACH";
	case ERR_ALREADY: return "EALREADY";
	case ERR_INPROGRESS: return "EINPROGRESS";
	case ERR_RANGE: return "ERANGE";
	case ERR_DEADLK: return "EDEADLK";
	case ERR_NOSYS: return "ENOSYS";
	case ERR_OVERFLOW: return "EOVERFLOW";
	case ERR_TIMEDOUT: return "ETIMEDOUT";
	case ERR_NXIO: return "ENXIO";
	case ERR_CHILD: return "ECHILD";
	case ERR_XDEV: return "EXDEV";
	case ERR_NOTDIR: return "ENOTDIR";
	case ERR_ISDIR: return "EISDIR";
	case ERR_NFILE: return "ENFILE";
	case ERR_MFILE: return "EMFILE";
	case ERR_NOTTY: return "ENOTTY";
	case ERR_FBIG: return "EFBIG";
	case ERR_SPIPE: return "ESPIPE";
	case ERR_ROFS: return "EROFS";
	case ERR_MLINK: return "EMLINK";
	case ERR_NAMETOOLONG: return "ENAMETOOLONG";
	case ERR_NOLCK: return "ENOLCK";
	case ERR_NOTEMPTY: return "ENOTEMPTY";
	case ERR_LOOP: return "ELOOP";
	case ERR_OPNOTSUPP: return "EOPNOTSUPP";
	default: return "E?";
	}
}
