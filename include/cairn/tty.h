/* SPDX-License-Identifier: MIT */
/*
 * Linux's terminal ABI as Cairn's tty protocol carries it (IO_IOCTL on a
 * tty, include/cairn/posix.h): the ioctl request numbers, the kernel's
 * struct termios and struct winsize, and the flag and c_cc values. These
 * are the asm-generic values, the same on riscv64 and x86-64. Everything
 * is prefixed LINUX_ so that a program may include this next to libc's
 * <termios.h>.
 */
#ifndef CAIRN_TTY_H
#define CAIRN_TTY_H
#include <stdint.h>
#include <cairn/err.h>
#include <cairn/linux.h>

/* ---- ioctl requests ------------------------------------------------------------ */
#define LINUX_TCGETS      0x5401u   /* -> struct linux_termios */
#define LINUX_TCSETS      0x5402u   /* struct linux_termios */
#define LINUX_TCSETSW     0x5403u   /* the same, after output drains */
#define LINUX_TCSETSF     0x5404u   /* the same, and the input is flushed */
#define LINUX_TCSBRK      0x5409u   /* arg (by value): 0 break, else drain (tcdrain) */
#define LINUX_TCXONC      0x540au   /* arg: TCOOFF 0, TCOON 1, TCIOFF 2, TCION 3 */
#define LINUX_TCFLSH      0x540bu   /* arg: TCIFLUSH 0, TCOFLUSH 1, TCIOFLUSH 2 */
#define LINUX_TIOCSCTTY   0x540eu   /* arg: force */
#define LINUX_TIOCGPGRP   0x540fu   /* -> int */
#define LINUX_TIOCSPGRP   0x5410u   /* int */
#define LINUX_TIOCOUTQ    0x5411u   /* -> int */
#define LINUX_TIOCSTI     0x5412u   /* char: as if typed */
#define LINUX_TIOCGWINSZ  0x5413u   /* -> struct linux_winsize */
#define LINUX_TIOCSWINSZ  0x5414u   /* struct linux_winsize */
#define LINUX_FIONREAD    0x541bu   /* -> int: bytes a read could take now */
#define LINUX_FIONBIO     0x5421u   /* int: O_NONBLOCK on (nonzero) or off */
#define LINUX_TIOCNOTTY   0x5422u
#define LINUX_TIOCGSID    0x5429u   /* -> int */
#define LINUX_TIOCGPTN    0x80045430u   /* a pty master: -> unsigned int, its number */
#define LINUX_TIOCSPTLCK  0x40045431u   /* a pty master: int, lock (1) or unlock (0) the slave */
#define LINUX_TIOCGPTLCK  0x80045439u   /* a pty master: -> int, the lock */

#define LINUX_TCIFLUSH    0
#define LINUX_TCOFLUSH    1
#define LINUX_TCIOFLUSH   2

/* ---- struct termios (the kernel's: 36 bytes) and struct winsize (8 bytes) ---------- */
#define LINUX_NCCS 19
struct linux_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
};
#define LINUX_TERMIOS_SIZE 36

struct linux_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};
#define LINUX_WINSIZE_SIZE 8

/* c_cc indices (_POSIX_VDISABLE is 0) */
enum {
	LINUX_VINTR = 0, LINUX_VQUIT = 1, LINUX_VERASE = 2, LINUX_VKILL = 3, LINUX_VEOF = 4,
	LINUX_VTIME = 5, LINUX_VMIN = 6, LINUX_VSWTC = 7, LINUX_VSTART = 8, LINUX_VSTOP = 9,
	LINUX_VSUSP = 10, LINUX_VEOL = 11, LINUX_VREPRINT = 12, LINUX_VDISCARD = 13,
	LINUX_VWERASE = 14, LINUX_VLNEXT = 15, LINUX_VEOL2 = 16,
};

/* c_iflag */
#define LINUX_IGNBRK   0000001u
#define LINUX_BRKINT   0000002u
#define LINUX_IGNPAR   0000004u
#define LINUX_PARMRK   0000010u
#define LINUX_INPCK    0000020u
#define LINUX_ISTRIP   0000040u
#define LINUX_INLCR    0000100u
#define LINUX_IGNCR    0000200u
#define LINUX_ICRNL    0000400u
#define LINUX_IUCLC    0001000u
#define LINUX_IXON     0002000u
#define LINUX_IXANY    0004000u
#define LINUX_IXOFF    0010000u
#define LINUX_IMAXBEL  0020000u
#define LINUX_IUTF8    0040000u

/* c_oflag */
#define LINUX_OPOST    0000001u
#define LINUX_OLCUC    0000002u
#define LINUX_ONLCR    0000004u
#define LINUX_OCRNL    0000010u
#define LINUX_ONOCR    0000020u
#define LINUX_ONLRET   0000040u
#define LINUX_TABDLY   0014000u
#define LINUX_XTABS    0014000u   /* TAB3: expand tabs to spaces */

/* c_cflag */
#define LINUX_B38400   0000017u
#define LINUX_B115200  0010002u
#define LINUX_CSIZE    0000060u
#define LINUX_CS8      0000060u
#define LINUX_CREAD    0000200u
#define LINUX_HUPCL    0002000u
#define LINUX_CLOCAL   0004000u

/* c_lflag */
#define LINUX_ISIG     0000001u
#define LINUX_ICANON   0000002u
#define LINUX_ECHO     0000010u
#define LINUX_ECHOE    0000020u
#define LINUX_ECHOK    0000040u
#define LINUX_ECHONL   0000100u
#define LINUX_NOFLSH   0000200u
#define LINUX_TOSTOP   0000400u
#define LINUX_ECHOCTL  0001000u
#define LINUX_ECHOPRT  0002000u
#define LINUX_ECHOKE   0004000u
#define LINUX_IEXTEN   0100000u

/* ---- other Linux values the tty protocol uses ------------------------------------- */
/* (open flags and poll bits: include/cairn/linux.h) */
/* (signal numbers: POSIX_SIG* in include/cairn/posix.h) */

/* the tty's answer to an ioctl it does not know (include/cairn/err.h) */
#define LINUX_ENOTTY    ERR_NOTTY

/* S_IFCHR | 0620, and the console's device number (5, 1); /dev/ptmx is (5, 2),
 * a pty's slave N (136 + N / 256, N % 256) */
#define LINUX_S_IFCHR   0020000u

#endif
