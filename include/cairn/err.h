/* SPDX-License-Identifier: MIT */
/*
 * err_t: the one error type shared by the kernel, servers and libc.
 * 0 is success; every other value is a positive POSIX errno number, so the
 * libc side can do `errno = rc; return -1`.
 */
#ifndef CAIRN_ERR_H
#define CAIRN_ERR_H

typedef int err_t;

#define ERR_OK          0
#define ERR_PERM        1
#define ERR_NOENT       2
#define ERR_SRCH        3
#define ERR_INTR        4
#define ERR_IO          5
#define ERR_NXIO        6
#define ERR_2BIG        7
#define ERR_NOEXEC      8
#define ERR_BADF        9
#define ERR_CHILD       10
#define ERR_AGAIN       11
#define ERR_NOMEM       12
#define ERR_ACCES       13
#define ERR_FAULT       14
#define ERR_NOTBLK      15
#define ERR_BUSY        16
#define ERR_EXIST       17
#define ERR_XDEV        18
#define ERR_NODEV       19
#define ERR_NOTDIR      20
#define ERR_ISDIR       21
#define ERR_INVAL       22
#define ERR_NFILE       23
#define ERR_MFILE       24
#define ERR_NOTTY       25
#define ERR_FBIG        27
#define ERR_NOSPC       28
#define ERR_SPIPE       29
#define ERR_ROFS        30
#define ERR_MLINK       31
#define ERR_PIPE        32
#define ERR_RANGE       34
#define ERR_DEADLK      35
#define ERR_NAMETOOLONG 36
#define ERR_NOLCK       37
#define ERR_NOSYS       38
#define ERR_NOTEMPTY    39
#define ERR_LOOP        40
#define ERR_OVERFLOW    75
#define ERR_NOTSOCK     88
#define ERR_DESTADDRREQ 89
#define ERR_MSGSIZE     90
#define ERR_PROTOTYPE   91
#define ERR_NOPROTOOPT  92
#define ERR_PROTONOSUPPORT 93
#define ERR_SOCKTNOSUPPORT 94
#define ERR_OPNOTSUPP   95
#define ERR_AFNOSUPPORT 97
#define ERR_ADDRINUSE   98
#define ERR_ADDRNOTAVAIL 99
#define ERR_NETDOWN     100
#define ERR_NETUNREACH  101
#define ERR_CONNABORTED 103
#define ERR_CONNRESET   104
#define ERR_NOBUFS      105
#define ERR_ISCONN      106
#define ERR_NOTCONN     107
#define ERR_TIMEDOUT    110
#define ERR_CONNREFUSED 111
#define ERR_HOSTUNREACH 113
#define ERR_ALREADY     114
#define ERR_INPROGRESS  115

/* Not an errno: a file-system server's redirect to another (include/cairn/posix.h,
 * "mounts"); the only error answer that carries bytes and capabilities. The
 * libc follows it, so programs never see it. */
#define ERR_REMOTE      1000

const char *err_name(err_t e);

#endif
