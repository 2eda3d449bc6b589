// SPDX-License-Identifier: MIT
/*
 * ktest: port I/O (IoPortControl, IoPort) and interrupt trigger modes
 * (IRQCTL_GET's flags). x86-64 has I/O ports: these tests drive COM2, a
 * 16550 at TEST_UART_PORT that q35's qemu.sh adds and the kernel never
 * touches (its scratch register for reads and writes, its loopback mode to
 * raise its interrupt). riscv64 has none: there the ioport tests check
 * only that no ioportctl root exists (the manifest names it optional).
 */
#include "ktest.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR   0x01

static err_t io_get(uint64_t base, uint64_t count, cap_t *out)
{
	struct cairn_msg m;
	err_t e = inv(k_ioportctl, IOPORTCTL_GET, base, count, 0, 0, &m);

	*out = e ? CAP_NULL : m.w[0];
	return e;
}

static uint64_t io_in(cap_t io, uint64_t off, uint64_t width)
{
	struct cairn_msg m;

	return inv(io, IOPORT_IN, off, width, 0, 0, &m) ? UINT64_MAX : m.w[0];
}

static err_t io_out(cap_t io, uint64_t off, uint64_t width, uint64_t v)
{
	return inv(io, IOPORT_OUT, off, width, v, 0, NULL);
}

/* IOPORT_WRITE of n bytes carried in a message of words words past the registers. */
static err_t io_write(cap_t io, uint64_t off, const void *bytes, uint64_t n, unsigned words)
{
	struct cairn_msg m;

	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], bytes, n < words * 8u ? n : words * 8u);
	m = cairn_call(io, cairn_tag(IOPORT_WRITE, CAIRN_MSG_REGS + words, 0), off, n, 0, 0);
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

/* ---- IRQCTL_GET flags --------------------------------------------------------------- */

static err_t irq_get_mode(uint64_t irq, uint64_t mode, cap_t *out)
{
	struct cairn_msg m;
	err_t e = inv(k_irqctl, IRQCTL_GET, irq, mode, 0, 0, &m);

	*out = e ? CAP_NULL : m.w[0];
	return e;
}

void t_irq_modes(void)
{
	static const uint64_t bad[] = { 4, 8, 7, 0x100, 1ull << 32, 1ull << 63, UINT64_MAX };
	static const uint64_t modes[] = { 0, IRQCTL_LEVEL, IRQCTL_LOW, IRQCTL_LEVEL | IRQCTL_LOW };
	cap_t l;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_t e = irq_get_mode(FREE_IRQ, bad[i], &l);
		EXPECT(e == ERR_INVAL, "IRQCTL_GET flags %#lx: %s, want ERR_INVAL", (unsigned long)bad[i],
		       err_name(e));
		del(&l);
	}
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		bool ok = TEST_IRQ_LOW_OK || !(modes[i] & IRQCTL_LOW);
		err_t e = irq_get_mode(FREE_IRQ, modes[i], &l);
		EXPECT(e == (ok ? ERR_OK : ERR_INVAL), "IRQCTL_GET flags %#lx: %s, want %s",
		       (unsigned long)modes[i], err_name(e), ok ? "ERR_OK" : "ERR_INVAL");
		del(&l);          /* the line goes: the next one is free again */
	}
	/* a mode does not make the kernel's own interrupt free */
	EXPECT_ERR(irq_get_mode(KERNEL_IRQ, IRQCTL_LEVEL, &l), ERR_BUSY);
	del(&l);
}

/* ---- IoPortControl -------------------------------------------------------------------- */

void t_ioport_root(void)
{
	uint64_t type, rights;

	if (!TEST_HAS_IOPORTS) {
		EXPECT(k_ioportctl == CAP_NULL, "an ioportctl capability on an arch without I/O ports");
		return;
	}
	CHECK(k_ioportctl != CAP_NULL, "no ioportctl capability (x86-64 has I/O ports)");
	EXPECT_OK(cap_ident(k_ioportctl, &type, &rights, NULL));
	EXPECT(type == OBJ_IOPORT_CONTROL, "ioportctl is of type %lu", (unsigned long)type);
	EXPECT(rights == RIGHT_MANAGE, "ioportctl rights %#lx", (unsigned long)rights);
	EXPECT_ERR(inv(k_ioportctl, IOPORT_IN, 0, 1, 0, 0, NULL), ERR_NOSYS);
	EXPECT_ERR(inv(k_mmioctl, IOPORTCTL_GET, TEST_UART_PORT, 8, 0, 0, NULL), ERR_NOSYS);
}

void t_ioport_get(void)
{
	uint64_t before = free_pages(), type;
	struct cairn_msg m;
	cap_t io, io2, c;

	if (!TEST_HAS_IOPORTS)
		return;
	CHECK_OK(io_get(TEST_UART_PORT, 8, &io));
	EXPECT_OK(cap_ident(io, &type, NULL, NULL));
	EXPECT(type == OBJ_IOPORT, "type %lu", (unsigned long)type);
	EXPECT_OK(inv(io, IOPORT_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == TEST_UART_PORT && m.w[1] == 8, "info: %#lx, %lu ports", (unsigned long)m.w[0],
	       (unsigned long)m.w[1]);
	/* IoPorts may overlap: another one over part of the same range */
	EXPECT_OK(io_get(TEST_UART_PORT + 7, 1, &io2));
	EXPECT_OK(inv(io2, IOPORT_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == TEST_UART_PORT + 7 && m.w[1] == 1, "info: %#lx, %lu ports",
	       (unsigned long)m.w[0], (unsigned long)m.w[1]);
	del(&io2);
	/* the last port, and the whole space above the kernel's highest port */
	EXPECT_OK(io_get(0xffff, 1, &io2));
	del(&io2);
	EXPECT_OK(io_get(0x1000, 0xf000, &io2));
	del(&io2);
	/* IOPORTCTL_GET needs the manage right */
	CHECK_OK(cap_copy(k_ioportctl, 0, &c));
	EXPECT_ERR(inv(c, IOPORTCTL_GET, TEST_UART_PORT, 8, 0, 0, NULL), ERR_PERM);
	del(&c);
	del(&io);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

void t_ioport_bad(void)
{
	static const uint64_t bad[][2] = {
		{ TEST_UART_PORT, 0 }, { 0x10000, 1 }, { 0xffff, 2 }, { 0, 0x10001 },
		{ 0x1000, 0xf001 }, { UINT64_MAX, 1 }, { UINT64_MAX, 2 }, { 1, UINT64_MAX },
		{ 0x10000, 0 }, { 1ull << 32, 8 }, { (1ull << 32) | TEST_UART_PORT, 8 },
	};
	cap_t io;

	if (!TEST_HAS_IOPORTS)
		return;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_t e = io_get(bad[i][0], bad[i][1], &io);
		EXPECT(e == ERR_INVAL, "IOPORTCTL_GET (%#lx, %#lx): %s, want ERR_INVAL",
		       (unsigned long)bad[i][0], (unsigned long)bad[i][1], err_name(e));
		del(&io);
	}
}

void t_ioport_busy(void)
{
	/* the PICs, the PIT and its gate, the CMOS clock, isa-debug-exit, PCI
	 * configuration, the console UART; ranges that only touch one; all of it */
	static const uint64_t busy[][2] = {
		{ 0x20, 2 }, { 0x21, 1 }, { 0xa0, 2 }, { 0xa1, 1 }, { 0x40, 4 }, { 0x43, 1 },
		{ 0x61, 1 }, { 0x70, 2 }, { 0x71, 1 }, { 0xf4, 1 }, { 0xf7, 1 }, { 0xcf8, 4 },
		{ 0xcfc, 4 }, { 0xcff, 1 }, { KERNEL_UART_PORT, 8 }, { KERNEL_UART_PORT + 5, 1 },
		{ KERNEL_UART_PORT + 7, 1 }, { 0x1f, 2 }, { 0x3f0, 9 }, { 0, 0x10000 },
	};
	cap_t io;

	if (!TEST_HAS_IOPORTS)
		return;
	for (unsigned i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		err_t e = io_get(busy[i][0], busy[i][1], &io);
		EXPECT(e == ERR_BUSY, "IOPORTCTL_GET (%#lx, %lu): %s, want ERR_BUSY",
		       (unsigned long)busy[i][0], (unsigned long)busy[i][1], err_name(e));
		del(&io);
	}
	/* right next to them is free */
	EXPECT_OK(io_get(0x22, 1, &io));
	del(&io);
	EXPECT_OK(io_get(KERNEL_UART_PORT + 8, 1, &io));
	del(&io);
	EXPECT_OK(io_get(KERNEL_UART_PORT - 1, 1, &io));
	del(&io);
}

/* ---- IoPort ------------------------------------------------------------------------------ */

void t_ioport_access(void)
{
	static const char bytes[] = "Cairn writes these bytes to one port, in order: the last wins!";
	uint64_t n = sizeof(bytes) - 1;
	cap_t io;

	if (!TEST_HAS_IOPORTS)
		return;
	CHECK_OK(io_get(TEST_UART_PORT, 8, &io));
	/* the scratch register keeps what was written */
	EXPECT_OK(io_out(io, UART_SCR, 1, 0x5a));
	EXPECT(io_in(io, UART_SCR, 1) == 0x5a, "scratch %#lx, want 0x5a", (unsigned long)io_in(io, UART_SCR, 1));
	EXPECT_OK(io_out(io, UART_SCR, 1, 0x1a5));             /* only the low byte goes out */
	EXPECT(io_in(io, UART_SCR, 1) == 0xa5, "scratch %#lx, want 0xa5", (unsigned long)io_in(io, UART_SCR, 1));
	/* n bytes to one port: the register holds the last */
	EXPECT_OK(io_write(io, UART_SCR, bytes, n, (unsigned)(n + 7) / 8));
	EXPECT(io_in(io, UART_SCR, 1) == (uint8_t)bytes[n - 1], "scratch %#lx after IOPORT_WRITE, want %#x",
	       (unsigned long)io_in(io, UART_SCR, 1), bytes[n - 1]);
	EXPECT_OK(io_write(io, UART_SCR, "", 0, 0));            /* nothing: fine */
	EXPECT(io_in(io, UART_SCR, 1) == (uint8_t)bytes[n - 1], "IOPORT_WRITE of 0 bytes wrote");
	/* the line control register: a 16550's divisor-latch bit reads back */
	EXPECT_OK(io_out(io, UART_LCR, 1, 0x03));
	EXPECT(io_in(io, UART_LCR, 1) == 0x03, "LCR %#lx", (unsigned long)io_in(io, UART_LCR, 1));
	/* wider accesses where aligned: reads of two and four ports at once */
	EXPECT(io_in(io, 0, 2) != UINT64_MAX, "IOPORT_IN width 2 failed");
	EXPECT(io_in(io, 4, 4) != UINT64_MAX, "IOPORT_IN width 4 failed");
	EXPECT(io_in(io, 6, 2) >> 8 == (uint8_t)bytes[n - 1], "width 2 at 6: %#lx, scratch in the high byte",
	       (unsigned long)io_in(io, 6, 2));
	del(&io);
}

void t_ioport_access_errors(void)
{
	static const uint64_t bad[][2] = {      /* (offset, width) on 8 ports at an 8-aligned base */
		{ 8, 1 }, { 7, 2 }, { 6, 4 }, { 1, 2 }, { 2, 4 }, { 0, 3 }, { 0, 0 }, { 0, 8 },
		{ UINT64_MAX, 1 }, { 1ull << 32, 1 }, { 0, 1ull << 32 | 1 }, { UINT64_MAX - 1, 2 },
	};
	char big[4000];
	cap_t io, c;

	if (!TEST_HAS_IOPORTS)
		return;
	CHECK_OK(io_get(TEST_UART_PORT, 8, &io));
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_t e = inv(io, IOPORT_IN, bad[i][0], bad[i][1], 0, 0, NULL);
		EXPECT(e == ERR_INVAL, "IOPORT_IN (%#lx, %#lx): %s", (unsigned long)bad[i][0],
		       (unsigned long)bad[i][1], err_name(e));
		e = io_out(io, bad[i][0], bad[i][1], 0);
		EXPECT(e == ERR_INVAL, "IOPORT_OUT (%#lx, %#lx): %s", (unsigned long)bad[i][0],
		       (unsigned long)bad[i][1], err_name(e));
	}
	/* IOPORT_WRITE: the offset in the range, the bytes in the message */
	EXPECT_ERR(io_write(io, 8, "x", 1, 1), ERR_INVAL);
	EXPECT_ERR(io_write(io, UINT64_MAX, "x", 1, 1), ERR_INVAL);
	EXPECT_ERR(io_write(io, UART_SCR, "abcdefghi", 9, 1), ERR_INVAL);   /* 9 bytes, 8 sent */
	EXPECT_ERR(io_write(io, UART_SCR, "x", 1, 0), ERR_INVAL);
	EXPECT_ERR(io_write(io, UART_SCR, "abcdefgh", UINT64_MAX, 1), ERR_INVAL);
	memset(big, 'z', sizeof(big));
	EXPECT_OK(io_write(io, UART_SCR, big, sizeof(big), sizeof(big) / 8));   /* the most a message holds */
	EXPECT(io_in(io, UART_SCR, 1) == 'z', "scratch %#lx after 4000 bytes", (unsigned long)io_in(io, UART_SCR, 1));
	/* a one-port IoPort: width 1 only */
	CHECK_OK(io_get(TEST_UART_PORT + UART_SCR, 1, &c));
	EXPECT_ERR(inv(c, IOPORT_IN, 0, 2, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(c, IOPORT_IN, 1, 1, 0, 0, NULL), ERR_INVAL);
	EXPECT(io_in(c, 0, 1) == 'z', "one-port IoPort reads %#lx", (unsigned long)io_in(c, 0, 1));
	del(&c);
	/* rights: in needs read, out and write need write, info none */
	CHECK_OK(cap_copy(io, RIGHTS_ALL & ~RIGHT_READ, &c));
	EXPECT_ERR(inv(c, IOPORT_IN, UART_SCR, 1, 0, 0, NULL), ERR_PERM);
	EXPECT_OK(io_out(c, UART_SCR, 1, 1));
	del(&c);
	CHECK_OK(cap_copy(io, RIGHTS_ALL & ~RIGHT_WRITE, &c));
	EXPECT_ERR(io_out(c, UART_SCR, 1, 2), ERR_PERM);
	EXPECT_ERR(io_write(c, UART_SCR, "x", 1, 1), ERR_PERM);
	EXPECT(io_in(c, UART_SCR, 1) == 1, "scratch %#lx, want 1", (unsigned long)io_in(c, UART_SCR, 1));
	del(&c);
	CHECK_OK(cap_copy(io, 0, &c));
	EXPECT_OK(inv(c, IOPORT_INFO, 0, 0, 0, 0, NULL));
	EXPECT_ERR(inv(c, IOPORTCTL_GET, 0, 1, 0, 0, NULL), ERR_NOSYS);
	del(&c);
	del(&io);
}

/* Raises COM2's receive interrupt in loopback and acknowledges the line
 * without reading the byte: the UART keeps its interrupt asserted, so a
 * level-triggered line delivers again and an edge-triggered one does not.
 * Returns how many times the Notification fired (0, 1 or 2), or -1. */
static int uart_irq_twice(cap_t io, cap_t n, uint64_t mode)
{
	cap_t line;
	uint64_t bits;
	int fired = 0;

	if (irq_get_mode(TEST_UART_IRQ, mode, &line))
		return -1;
	io_out(io, UART_LCR, 1, 0x03);
	io_out(io, UART_FCR, 1, 0x07);
	io_out(io, UART_MCR, 1, MCR_LOOP | MCR_OUT2);
	while (io_in(io, UART_LSR, 1) & LSR_DR)
		io_in(io, UART_RBR, 1);
	io_out(io, UART_IER, 1, 0x01);
	if (inv1(line, IRQ_BIND, n, 1, 0, 0, 0, NULL) || inv(line, IRQ_ACK, 0, 0, 0, 0, NULL)) {
		del(&line);
		return -1;
	}
	io_out(io, UART_THR, 1, 'k');
	if (!cairn_wait(n, 200000000ull, &bits) && bits == 1) {
		fired++;
		/* QEMU's UART raises its line again (a FIFO timeout) soon after the
		 * byte came, and its IOAPIC takes every raise as an edge: one that
		 * came before the kernel masked the line may deliver again. Let that
		 * pass, forget it, and only then acknowledge. */
		sleep_ms(20);
		cairn_wait(n, 0, NULL);
		inv(line, IRQ_ACK, 0, 0, 0, 0, NULL);    /* the byte is still there */
		if (!cairn_wait(n, 50000000ull, &bits) && bits == 1)
			fired++;
	}
	io_out(io, UART_IER, 1, 0);
	while (io_in(io, UART_LSR, 1) & LSR_DR)
		io_in(io, UART_RBR, 1);
	io_out(io, UART_MCR, 1, 0);
	del(&line);
	cairn_wait(n, 0, NULL);
	return fired;
}

void t_ioport_irq_modes(void)
{
	cap_t io, n;
	int f;

	if (!TEST_HAS_IOPORTS)
		return;
	n = mk(OBJ_NOTIFICATION);
	CHECK(n != CAP_NULL, "notification");
	CHECK_OK(io_get(TEST_UART_PORT, 8, &io));
	f = uart_irq_twice(io, n, 0);                   /* ISA: edge, active high */
	EXPECT(f == 1, "default mode (edge): fired %d times, want 1", f);
	f = uart_irq_twice(io, n, IRQCTL_LEVEL);
	EXPECT(f == 2, "IRQCTL_LEVEL: fired %d times, want 2", f);
	/* QEMU's IOAPIC ignores the polarity bit: active low behaves the same */
	f = uart_irq_twice(io, n, IRQCTL_LEVEL | IRQCTL_LOW);
	EXPECT(f == 2, "IRQCTL_LEVEL | IRQCTL_LOW: fired %d times, want 2", f);
	f = uart_irq_twice(io, n, 0);                   /* the line went: default again */
	EXPECT(f == 1, "default mode after a level line: fired %d times, want 1", f);
	del(&io);
	del(&n);
}

/* ---- PCI INTx: level-triggered, active low ------------------------------------------ */

#define EDU_ID        0x11e81234u   /* device << 16 | vendor */
#define EDU_IDENT     (0x00 / 4)    /* 0x010000ed */
#define EDU_IRQ_STAT  (0x24 / 4)
#define EDU_IRQ_RAISE (0x60 / 4)
#define EDU_IRQ_ACK   (0x64 / 4)

/* Maps one page of device memory; NULL if that failed. */
static volatile uint32_t *map_dev(uint64_t pa, cap_t *region)
{
	struct cairn_msg m;
	void *va;

	if (inv(k_mmioctl, MMIOCTL_GET, pa, 4096, 0, 0, &m)) {
		*region = CAP_NULL;
		return NULL;
	}
	*region = m.w[0];
	if (cairn_map(*region, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
		del(region);
		return NULL;
	}
	return va;
}

/* Every INTx GSI taken as level, active low and bound to bit i of n; the
 * edu device raises its INTA: exactly one line delivers. While the device
 * keeps it asserted, the line delivers again after each IRQ_ACK (level);
 * once the device lowers it, not. */
void t_irq_pci_intx(void)
{
	cap_t cfg_r, bar_r, n, lines[16];
	volatile uint32_t *cfg, *regs;
	uint64_t bits = 0;
	unsigned i, hit = 0, nlines = TEST_INTX_COUNT;   /* 0 on riscv64 */

	if (!TEST_PCI_CFG)
		return;
	n = mk(OBJ_NOTIFICATION);
	CHECK(n != CAP_NULL, "notification");
	cfg = map_dev(TEST_PCI_CFG, &cfg_r);
	CHECK(cfg, "cannot map the configuration space at %#lx", (unsigned long)TEST_PCI_CFG);
	CHECK(cfg[0] == EDU_ID, "no edu device at 00:10.0 (id %#x; tests/run-all.sh adds one)", cfg[0]);
	CHECK(((cfg[0x3c / 4] >> 8) & 0xff) == 1, "edu's interrupt pin %u, want INTA", (cfg[0x3c / 4] >> 8) & 0xff);
	cfg[1] = (cfg[1] & 0xffff & ~0x400u) | 0x2;      /* memory decoding on, INTx not disabled */
	regs = map_dev(cfg[4] & ~0xfu, &bar_r);
	CHECK(regs, "cannot map edu's BAR 0 at %#x", cfg[4] & ~0xfu);
	EXPECT((regs[EDU_IDENT] & 0xff) == 0xed, "edu ident %#x", regs[EDU_IDENT]);
	for (i = 0; i < nlines; i++) {
		EXPECT_OK(irq_get_mode(TEST_INTX_GSI + i, IRQCTL_LEVEL | IRQCTL_LOW, &lines[i]));
		if (lines[i] != CAP_NULL) {
			EXPECT_OK(inv1(lines[i], IRQ_BIND, n, 1ull << i, 0, 0, 0, NULL));
			EXPECT_OK(inv(lines[i], IRQ_ACK, 0, 0, 0, 0, NULL));
		}
	}
	regs[EDU_IRQ_RAISE] = 1;
	EXPECT_OK(cairn_wait(n, 200000000ull, &bits));
	sleep_ms(20);
	cairn_wait(n, 0, NULL);                         /* anything the others said */
	EXPECT(bits && !(bits & (bits - 1)), "INTx arrived on GSIs %#lx (bit i: GSI %u + i), want one",
	       (unsigned long)bits, TEST_INTX_GSI);
	if (bits && !(bits & (bits - 1))) {
		hit = (unsigned)__builtin_ctzll(bits);
		EXPECT_OK(inv(lines[hit], IRQ_ACK, 0, 0, 0, 0, NULL));     /* still asserted */
		bits = 0;
		EXPECT(!cairn_wait(n, 50000000ull, &bits) && bits == 1ull << hit,
		       "level: no second delivery while the device asserts INTx (bits %#lx)", (unsigned long)bits);
		regs[EDU_IRQ_ACK] = 1;                  /* the device lowers INTx */
		EXPECT(regs[EDU_IRQ_STAT] == 0, "edu still has status %#x", regs[EDU_IRQ_STAT]);
		EXPECT_OK(inv(lines[hit], IRQ_ACK, 0, 0, 0, 0, NULL));
		EXPECT_ERR(cairn_wait(n, 50000000ull, NULL), ERR_TIMEDOUT);
	}
	regs[EDU_IRQ_ACK] = ~0u;
	for (i = 0; i < nlines; i++)
		del(&lines[i]);
	cairn_unmap((void *)regs, 1);
	cairn_unmap((void *)cfg, 1);
	del(&bar_r);
	del(&cfg_r);
	del(&n);
}

/* ---- device accesses while the memory map changes -------------------------------------- */

#define MAPCHG_MS      1500          /* how long the map keeps changing */
#define MAPCHG_WAIT_NS 20000ull      /* each worker's timed wait: a timer armed, fired, acked */

/* On another CPU: timed waits, each one a local APIC timer armed and an
 * interrupt ended (the kernel's own device accesses), until told to stop. */
static void mapchg_worker(struct kthread *kt)
{
	uint64_t n = 0;

	while (!kt->arg[1]) {
		if (cairn_wait(kt->arg[0], MAPCHG_WAIT_NS, NULL) != ERR_TIMEDOUT)
			kt->res[1]++;
		n++;
	}
	kt->res[0] = n;
}

/* edu's memory decoding turned off and on again and again (its BAR goes
 * from the machine's memory map and comes back: QEMU renumbers the map's
 * sections each time) while the other CPUs' kernels reach their local
 * APICs. Under QEMU 7.2's TCG an access through a TLB entry from before a
 * change reached another device (QEMU aborted, or the write was lost):
 * arch/x86.h, x86_mmio_fresh(). */
void t_mmio_map_changes(void)
{
	struct kthread kt[8];
	unsigned nw = 0, toggles = 0;
	cap_t cfg_r, bar_r;
	volatile uint32_t *cfg, *regs;

	if (!TEST_PCI_CFG || k_ncpus < 2)
		return;
	cfg = map_dev(TEST_PCI_CFG, &cfg_r);
	CHECK(cfg, "cannot map the configuration space at %#lx", (unsigned long)TEST_PCI_CFG);
	CHECK(cfg[0] == EDU_ID, "no edu device at 00:10.0 (id %#x; tests/run-all.sh adds one)", cfg[0]);
	for (unsigned c = 0; c < k_ncpus && nw < 8; c++) {
		if (1ull << c == k_cpu_mask)
			continue;
		struct kthread *w = &kt[nw];
		w->arg[0] = mk(OBJ_NOTIFICATION);
		w->arg[1] = 0;
		CHECK(w->arg[0] != CAP_NULL, "notification");
		CHECK_OK(kthread_start(w, mapchg_worker, PRIO_MAIN, false));
		CHECK_OK(inv(w->th, THREAD_SET_AFFINITY, 1ull << c, 0, 0, 0, NULL));
		nw++;
	}
	uint32_t cmd = cfg[1] & 0xffff;
	uint64_t t0 = now_ns();
	while (now_ns() - t0 < MAPCHG_MS * 1000000ull) {
		cfg[1] = cmd & ~0x2u;           /* memory decoding off: BAR 0 leaves the map */
		cfg[1] = cmd | 0x2u;            /* and back */
		toggles++;
	}
	for (unsigned i = 0; i < nw; i++)
		kt[i].arg[1] = 1;
	for (unsigned i = 0; i < nw; i++) {
		EXPECT(kthread_join(&kt[i], 2000), "worker %u did not end (its timer lost?)", i);
		EXPECT(kt[i].res[0] > 0, "worker %u made no timed waits", i);
		EXPECT(kt[i].res[1] == 0, "worker %u: %lu waits ended otherwise than timed out", i,
		       (unsigned long)kt[i].res[1]);
		kthread_free(&kt[i]);
		cap_t n = kt[i].arg[0];
		del(&n);
	}
	EXPECT(toggles > 10, "only %u map changes in %u ms", toggles, MAPCHG_MS);
	regs = map_dev(cfg[4] & ~0xfu, &bar_r);
	CHECK(regs, "cannot map edu's BAR 0 at %#x", cfg[4] & ~0xfu);
	EXPECT((regs[EDU_IDENT] & 0xff) == 0xed, "edu ident %#x after the changes", regs[EDU_IDENT]);
	printf("# ktest: %u map changes while %u other CPUs took timer interrupts\n", toggles, nw);
	cairn_unmap((void *)regs, 1);
	cairn_unmap((void *)cfg, 1);
	del(&bar_r);
	del(&cfg_r);
}

/* ---- DEBUG_RELEASE_DEVICE: the kernel gives its console UART away ---------------------- */

/* Runs near the end (the tests before rely on the UART being the kernel's):
 * the kernel answers where its UART is, writes its log by polling from then
 * on, and its registers (ports or memory) and interrupt are free to take. */
void t_console_release(void)
{
	struct cairn_msg m;
	cap_t c, dev, line;

	CHECK_OK(cap_copy(k_console, RIGHT_WRITE, &c));
	EXPECT_ERR(inv(c, DEBUG_RELEASE_DEVICE, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	/* before: the kernel's */
	EXPECT_ERR(irq_get_mode(KERNEL_UART_IRQ, 0, &line), ERR_BUSY);
	del(&line);
	cairn_console_flush();
	CHECK_OK(inv(k_console, DEBUG_RELEASE_DEVICE, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == KERNEL_UART_BASE && m.w[1] == KERNEL_UART_SIZE && m.w[2] == KERNEL_UART_IRQ,
	       "released %#lx, %#lx bytes or ports, irq %lu", (unsigned long)m.w[0], (unsigned long)m.w[1],
	       (unsigned long)m.w[2]);
	EXPECT(m.w[3] == KERNEL_UART_W3, "released reg_shift | reg_width << 8 | space << 16 = %#lx, want %#x",
	       (unsigned long)m.w[3], KERNEL_UART_W3);
	EXPECT_ERR(inv(k_console, DEBUG_RELEASE_DEVICE, 0, 0, 0, 0, NULL), ERR_BUSY);   /* once */
	/* after: the registers and the interrupt can be had */
	if ((m.w[3] >> 16 & 0xff) == DEBUG_DEV_PORT) {
		EXPECT_OK(io_get(m.w[0], m.w[1], &dev));
		EXPECT((io_in(dev, 5, 1) & 0x60) == 0x60, "COM1's LSR %#lx: transmitter not idle",
		       (unsigned long)io_in(dev, 5, 1));
	} else {
		struct cairn_msg r;
		err_t e = inv(k_mmioctl, MMIOCTL_GET, m.w[0] & ~0xfffull, 4096, 0, 0, &r);

		EXPECT(e == ERR_OK, "MMIOCTL_GET of the released UART: %s", err_name(e));
		dev = e ? CAP_NULL : r.w[0];
	}
	del(&dev);
	EXPECT_OK(irq_get_mode(KERNEL_UART_IRQ, 0, &line));
	del(&line);
	/* the kernel still prints, polled */
	printf("# ktest: the kernel's log after DEBUG_RELEASE_DEVICE\n");
}

/* A process without an IoPort cannot reach a port itself: an outb in user
 * mode faults (illegal instruction), and the port keeps its value. */
void t_ioport_direct(void)
{
	struct cairn_child c;
	struct cairn_proc_status st;
	cap_t io, exitn;

	if (!TEST_HAS_IOPORTS)
		return;
	exitn = mk(OBJ_NOTIFICATION);
	CHECK(exitn != CAP_NULL, "notification");
	CHECK_OK(io_get(TEST_UART_PORT + UART_SCR, 1, &io));
	EXPECT_OK(io_out(io, 0, 1, 0x11));
	CHECK_OK(spawn_peer("outb", "outb", NULL, 0, PRIO_MAIN - 1, 1 << 20, exitn, &c));
	EXPECT(wait_bits(exitn, 3000) == 1, "peer did not end");
	EXPECT_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_FAULTED && st.status == CAIRN_FAULT_ILLEGAL,
	       "state %u status %lu, want faulted with CAIRN_FAULT_ILLEGAL", st.state, (unsigned long)st.status);
	EXPECT(io_in(io, 0, 1) == 0x11, "the port now holds %#lx", (unsigned long)io_in(io, 0, 1));
	child_end(&c);
	del(&io);
	del(&exitn);
}
