/* SPDX-License-Identifier: MIT */
/*
 * virtio_rng's self-test (without --mmio or --pci; the driver proper is
 * driver.c): QEMU's virtio-rng on riscv64 `virt` (virtio-mmio) driven
 * register by register with the virtio library's definitions
 * (drivers/virtio/virtio.h), as an end-to-end test of the kernel's driver
 * primitives with a real device: an MmioRegion mapped with AS_MAP, a
 * physically contiguous MemoryObject (MEMOBJ_CONTIG, MEMOBJ_PADDR) the
 * device reads and writes by DMA, and an IrqLine bound to a Notification
 * (IRQ_BIND, SYS_WAIT with a timeout, IRQ_ACK).
 *
 * Started by init from user/manifests/virtio_rng.manifest, with QEMU given
 * `-device virtio-rng-device` (tests/run-all.sh). The capabilities come
 * from the manifest: "regs" (the eight virtio-mmio transports, one
 * MmioRegion), "irq1".."irq8" (their PLIC lines), "kinfo" and "console".
 * QEMU's virt machine puts transport n at 0x10001000 + n * 0x1000 with
 * interrupt n + 1 (its device tree); the driver finds the entropy device
 * (DeviceID 4) by reading each transport's registers.
 *
 * Both virtio-mmio interfaces work: the modern one (Version 2; QEMU 7.2
 * offers it with `-global virtio-mmio.force-legacy=false`) and the legacy
 * one (Version 1, QEMU 7.2's default). The boot log names the one used.
 *
 * Prints one line a test, as user/tests/ktest does,
 *     ok N name            or    not ok N name: line L: what went wrong
 * and "N passed, N failed" alone on a line; exits 0 iff every test passed.
 * The tests run in order and build on each other (find the device, set up
 * the queue, then requests); after a failure the later tests fail fast.
 */
#include <stdbool.h>
#include <string.h>
#include <format.h>
#include <cairn/rt.h>
#include <cairn/test.h>
#include <cairn/counter.h>
#include <test/arch.h>
#include "virtio.h"

/* QEMU virt's virtio-mmio transports */
#define NSLOTS      8
#define SLOT_BYTES  0x1000u
#define MMIO_BASE   0x10001000ull
#define FIRST_IRQ   1

/* The DMA memory: one contiguous MemoryObject of DMA_PAGES pages laid out
 * as the legacy interface needs it (QueueAlign 4096), which the modern
 * one accepts too: descriptors and available ring in page 0, used ring in
 * page 1, request buffers from page 2 on (REQ_BYTES for the device, then
 * a canary the device must not touch). */
#define DMA_PAGES   4
#define QALIGN      4096u
#define USED_OFF    4096u
#define BUF_OFF     8192u
#define BUF_STRIDE  128u
#define REQ_BYTES   64u
#define MAX_REQS    ((DMA_PAGES * 4096u - BUF_OFF) / BUF_STRIDE)
#define QSIZE_MAX   8u
#define CANARY      0xa5

#define IRQ_BIT     0x1ull              /* the device's line on `note` */
#define WAIT_NS     1000000000ull       /* an interrupt later than this is lost */
#define QUIET_NS    100000000ull        /* how long "nothing happens" is watched */
#define SHORT_NS    30000000ull

#define PG          CAIRN_PAGE_SIZE

/* ---- the runner: the test library (cairn/test.h) ------------------------------------- */

static bool strict;                  /* argv "strict": a late interrupt is a failure */

/* ---- state shared by the tests --------------------------------------------------------- */

static cap_t c_regs = CAP_NULL, c_kinfo = CAP_NULL, c_irq[NSLOTS];
static cap_t c_note = CAP_NULL;      /* the device's IrqLine signals IRQ_BIT here */
static cap_t c_others = CAP_NULL;    /* the other seven lines signal 1 << irq here */
static cap_t c_sleep = CAP_NULL, c_dma = CAP_NULL;

static volatile uint8_t *mmio;       /* all eight transports, mapped */
static volatile uint8_t *dev;        /* the entropy device's transport */
static int dev_slot = -1;
static unsigned version;             /* of the device's transport: 1 legacy, 2 modern */
static cap_t line = CAP_NULL;        /* the device's IrqLine */
static bool dev_ready, queue_ready, line_bound;
static unsigned late_irqs;           /* interrupts that needed nudge() (see there) */

static struct {
	unsigned num;                /* queue size */
	uint8_t *va;                 /* the DMA memory mapped here */
	uint64_t pa;                 /* and its physical address */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_used;          /* used->idx consumed so far */
} q;

static uint8_t got[MAX_REQS][REQ_BYTES];   /* what each request brought */
static unsigned nreq, ndone;              /* requests posted, completed */
static uint64_t irq_latency_ns;

/* ---- helpers ------------------------------------------------------------------------------ */

/* Orders this CPU's memory and device accesses (the DMA memory is
 * ordinary memory, the registers device memory). */
static inline void mb(void)
{
	mem_barrier();
}

static inline uint32_t rd(unsigned off)
{
	return *(volatile uint32_t *)(dev + off);
}

static inline void wr(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(dev + off) = v;
}

static err_t inv(cap_t c, uint32_t method, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		 struct cairn_msg *out)
{
	return cairn_invoke(c, method, 0, w0, w1, w2, w3, out);
}

static err_t inv1(cap_t c, uint32_t method, cap_t cap0, uint64_t w0, uint64_t w1, uint64_t w2,
		  uint64_t w3, struct cairn_msg *out)
{
	return cairn_invoke_cap(c, method, cap0, w0, w1, w2, w3, out);
}

static cap_t mk(uint64_t type, uint64_t a, uint64_t b)
{
	struct cairn_msg m;

	return inv(SLOT_SELF_PROC, PROC_CREATE, type, a, b, 0, &m) ? CAP_NULL : m.w[0];
}

static err_t cap_ident(cap_t slot, uint64_t *type, uint64_t *rights)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_IDENTIFY, slot, 0, 0, 0, r);

	if (!e) {
		*type = r[0];
		*rights = r[1];
	}
	return e;
}

static void del(cap_t *c)
{
	if (*c != CAP_NULL)
		cairn_cap_delete(*c);
	*c = CAP_NULL;
}

static void sleep_ns(uint64_t ns)
{
	cairn_wait(c_sleep, ns, NULL);
}

/* Resets the device: Status 0, which the device confirms by reading 0. */
static bool dev_reset(void)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	mb();
	for (int i = 0; i < 1000; i++)
		if (rd(VIRTIO_MMIO_STATUS) == 0)
			return true;
	return false;
}

static uint16_t used_idx(void)
{
	mb();
	return __atomic_load_n(&q.used->idx, __ATOMIC_ACQUIRE);
}

/* Posts the next request: one device-writable descriptor of REQ_BYTES
 * in its own buffer (zeroed, so a device that wrote nothing shows), with
 * a canary after it. Returns the request's number. */
static unsigned post(void)
{
	unsigned r = nreq++;
	uint16_t d = r % q.num, ai;
	uint8_t *b = q.va + BUF_OFF + r * BUF_STRIDE;

	memset(b, 0, REQ_BYTES);
	memset(b + REQ_BYTES, CANARY, BUF_STRIDE - REQ_BYTES);
	q.desc[d].addr = q.pa + BUF_OFF + r * BUF_STRIDE;
	q.desc[d].len = REQ_BYTES;
	q.desc[d].flags = VIRTQ_DESC_F_WRITE;
	q.desc[d].next = 0;
	ai = q.avail->idx;
	q.avail->ring[ai % q.num] = d;
	mb();                                   /* descriptor and ring entry before idx */
	__atomic_store_n(&q.avail->idx, (uint16_t)(ai + 1), __ATOMIC_RELEASE);
	mb();                                   /* idx before the notify */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	return r;
}

/* Spins (yielding) up to ns for the device to return a used buffer. */
static bool poll_used(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (used_idx() == q.last_used) {
		if (now_ns() > end)
			return false;
		cairn_yield();
	}
	return true;
}

/* Takes the next used element, which must be request r: the device wrote
 * exactly REQ_BYTES and nothing past them. Records a failure (and
 * returns false) otherwise. */
static bool take_used(unsigned r, int line_no)
{
	struct virtq_used_elem u;
	uint8_t *b = q.va + BUF_OFF + r * BUF_STRIDE;

	if (used_idx() == q.last_used) {
		t_fail(line_no, "request %u: no used buffer (used.idx %u)", r, q.last_used);
		return false;
	}
	u = q.used->ring[q.last_used % q.num];
	q.last_used++;
	if (u.id != r % q.num || u.len != REQ_BYTES) {
		t_fail(line_no, "request %u: used element id %u len %u, want id %u len %u", r, u.id,
		       u.len, r % q.num, REQ_BYTES);
		return false;
	}
	for (unsigned i = REQ_BYTES; i < BUF_STRIDE; i++)
		if (b[i] != CANARY) {
			t_fail(line_no, "request %u: the device wrote past its buffer (byte %u)", r, i);
			return false;
		}
	memcpy(got[r], b, REQ_BYTES);
	ndone++;
	return true;
}

/*
 * Makes the device drive its interrupt line again, at its current level:
 * writing 0 to InterruptACK acknowledges nothing, but QEMU's virtio-mmio
 * then sets its output again (virtio_update_irq), and QEMU's PLIC
 * re-evaluates what to deliver whenever an input is set.
 *
 * Needed because QEMU's PLIC (hw/intc/sifive_plic.c) does not re-evaluate
 * when an enable bit is written, only on priority, threshold and
 * claim/complete writes and input changes, and the kernel's plic_enable()
 * (drivers/irq/plic.c) writes the priority first and the enable bit last:
 * so IRQ_ACK on a line whose device raised it while it was masked delivers
 * nothing until some other interrupt activity. See wait_unmasked().
 */
static void nudge(void)
{
	mb();
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 0);
	mb();
}

/*
 * Waits for the interrupt a device raised while the line was masked,
 * right after IRQ_ACK unmasked it: it must arrive at once. If it does not
 * within SHORT_NS, nudge() the device and wait again: arriving then it
 * was not lost (still pending at the interrupt controller, not taken by
 * the kernel with nobody to signal) but late, which the test's ok line
 * says, and which fails the test with argv "strict".
 */
static err_t wait_unmasked(uint64_t *bits, int line_no)
{
	err_t e = cairn_wait(c_note, SHORT_NS, bits);

	if (e != ERR_TIMEDOUT)
		return e;
	nudge();
	e = cairn_wait(c_note, WAIT_NS, bits);
	if (e == ERR_OK) {
		late_irqs++;
		if (strict)
			t_fail(line_no, "the interrupt came only after the device re-drove its line "
			       "(IRQ_ACK unmasked without the PLIC delivering what was pending)");
		else
			t_note("late: delivered only after the device re-drove "
			       "its line (QEMU PLIC not re-evaluated on unmask; drivers/irq/plic.c)");
	}
	return e;
}

/* Reads and acknowledges the device's interrupt status; returns it. */
static uint32_t dev_irq_ack(void)
{
	uint32_t s = rd(VIRTIO_MMIO_INTERRUPT_STATUS);

	if (s)
		wr(VIRTIO_MMIO_INTERRUPT_ACK, s);
	mb();
	return s;
}

/* One request served by its interrupt: post, SYS_WAIT (a lost interrupt
 * is a timeout), device status, used ring, acknowledge the device and
 * then the IrqLine. */
static bool request_irq(int line_no)
{
	uint64_t bits, t0;
	uint32_t st;
	unsigned r;
	err_t e;

	t0 = now_ns();
	r = post();
	e = cairn_wait(c_note, WAIT_NS, &bits);
	if (e || bits != IRQ_BIT) {
		t_fail(line_no, "request %u: wait: %s, bits %#lx (want the line's bit %#lx)", r,
		       err_name(e), (unsigned long)bits, (unsigned long)IRQ_BIT);
		return false;
	}
	irq_latency_ns = now_ns() - t0;
	st = dev_irq_ack();
	if (!(st & VIRTIO_MMIO_INT_VRING)) {
		t_fail(line_no, "request %u: interrupt with InterruptStatus %#x", r, st);
		return false;
	}
	if (!take_used(r, line_no))
		return false;
	e = inv(line, IRQ_ACK, 0, 0, 0, 0, NULL);
	if (e) {
		t_fail(line_no, "request %u: IRQ_ACK: %s", r, err_name(e));
		return false;
	}
	return true;
}

/* ---- the tests ------------------------------------------------------------------------------ */

/* The manifest's capabilities are there, of the right types and rights. */
static void t_caps(void)
{
	uint64_t type, rights;
	struct cairn_msg m;
	char name[8];

	CHECK(c_regs != CAP_NULL && c_kinfo != CAP_NULL, "capabilities regs and kinfo");
	CHECK_OK(cap_ident(c_regs, &type, &rights));
	CHECK(type == OBJ_MMIO, "regs: type %lu, want OBJ_MMIO", (unsigned long)type);
	CHECK((rights & (RIGHT_READ | RIGHT_WRITE)) == (RIGHT_READ | RIGHT_WRITE) && !(rights & RIGHT_EXEC),
	      "regs: rights %#lx", (unsigned long)rights);
	CHECK_OK(inv(c_regs, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	CHECK(m.w[0] == NSLOTS && m.w[1] == MMIO_BASE, "regs: %lu pages at %#lx, want %u at %#lx",
	      (unsigned long)m.w[0], (unsigned long)m.w[1], NSLOTS, (unsigned long)MMIO_BASE);
	for (unsigned i = 0; i < NSLOTS; i++) {
		fmt_snprintf(name, sizeof(name), "irq%u", FIRST_IRQ + i);
		CHECK(c_irq[i] != CAP_NULL, "no capability %s", name);
		CHECK_OK(cap_ident(c_irq[i], &type, &rights));
		CHECK(type == OBJ_IRQLINE, "%s: type %lu, want OBJ_IRQLINE", name, (unsigned long)type);
		CHECK((rights & (RIGHT_WRITE | RIGHT_MANAGE)) == (RIGHT_WRITE | RIGHT_MANAGE),
		      "%s: rights %#lx, want write and manage", name, (unsigned long)rights);
	}
}

/* AS_MAP of the MmioRegion: every transport answers with the magic value. */
static void t_mmio_map(void)
{
	void *va;

	CHECK(c_regs != CAP_NULL, "no regs");
	CHECK_OK(cairn_map(c_regs, 0, NSLOTS, CAIRN_PROT_R | CAIRN_PROT_W, &va));
	mmio = va;
	for (unsigned i = 0; i < NSLOTS; i++) {
		uint32_t magic = *(volatile uint32_t *)(mmio + i * SLOT_BYTES + VIRTIO_MMIO_MAGIC_VALUE);
		CHECK(magic == VIRTIO_MMIO_MAGIC, "transport %u at %#lx: magic %#x, want %#x", i,
		      (unsigned long)(MMIO_BASE + i * SLOT_BYTES), magic, VIRTIO_MMIO_MAGIC);
	}
}

/* What the MmioRegion may not do: be mapped executable (ERR_PERM, in any
 * combination), writable through a read-only copy (ERR_PERM), or past
 * its end (ERR_RANGE); a read-only copy maps readable and reads the
 * registers. */
static void t_mmio_rights(void)
{
	static const unsigned xprot[] = { CAIRN_PROT_X, CAIRN_PROT_R | CAIRN_PROT_X,
					  CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_X };
	const uint64_t va = CAIRN_VM_END - 16 * PG;     /* cairn_map() never gets this far */
	cap_t ro = CAP_NULL;
	uint32_t magic;

	CHECK(c_regs != CAP_NULL, "no regs");
	for (unsigned i = 0; i < sizeof(xprot) / sizeof(xprot[0]); i++)
		EXPECT_ERR(cairn_as_map(SLOT_SELF_AS, c_regs, va, 0, 1, xprot[i]), ERR_PERM);
	EXPECT_ERR(cairn_as_map(SLOT_SELF_AS, c_regs, va, NSLOTS, 1, CAIRN_PROT_R), ERR_RANGE);
	EXPECT_ERR(cairn_as_map(SLOT_SELF_AS, c_regs, va, NSLOTS - 1, 2, CAIRN_PROT_R), ERR_RANGE);
	CHECK_OK(cairn_cap_copy(c_regs, RIGHT_READ, &ro));
	EXPECT_ERR(cairn_as_map(SLOT_SELF_AS, ro, va, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W), ERR_PERM);
	EXPECT_ERR(cairn_as_map(SLOT_SELF_AS, ro, va, 0, 1, CAIRN_PROT_W), ERR_PERM);
	if (cairn_as_map(SLOT_SELF_AS, ro, va, 0, 1, CAIRN_PROT_R) == ERR_OK) {
		magic = *(volatile uint32_t *)va;
		EXPECT(magic == VIRTIO_MMIO_MAGIC, "read-only mapping reads %#x", magic);
		EXPECT_OK(cairn_as_unmap(SLOT_SELF_AS, va, PG));
	} else {
		t_fail(__LINE__, "read-only copy does not map readable");
	}
	del(&ro);
	/* nothing of the refused maps stayed: the range is free */
	EXPECT_OK(cairn_as_map(SLOT_SELF_AS, c_regs, va, 0, 1, CAIRN_PROT_R));
	EXPECT_OK(cairn_as_unmap(SLOT_SELF_AS, va, PG));
}

/* Exactly one transport has the entropy device (DeviceID 4); the others
 * say DeviceID 0 (nothing attached). */
static void t_device_found(void)
{
	unsigned found = 0;

	CHECK(mmio, "registers not mapped");
	for (unsigned i = 0; i < NSLOTS; i++) {
		volatile uint8_t *s = mmio + i * SLOT_BYTES;
		uint32_t v = *(volatile uint32_t *)(s + VIRTIO_MMIO_VERSION);
		uint32_t id = *(volatile uint32_t *)(s + VIRTIO_MMIO_DEVICE_ID);
		CHECK(v == 1 || v == 2, "transport %u: Version %u", i, v);
		if (id == VIRTIO_ID_ENTROPY) {
			found++;
			dev_slot = i;
			dev = s;
			version = v;
		} else {
			CHECK(id == 0, "transport %u: unexpected DeviceID %u", i, id);
		}
	}
	CHECK(found == 1, "%u entropy devices (is QEMU given -device virtio-rng-device?)", found);
	line = c_irq[dev_slot];
	printf("virtio_rng: entropy device at %#lx (transport %d, irq %d), vendor %#x, "
	       "virtio-mmio version %u (%s)\n",
	       (unsigned long)(MMIO_BASE + dev_slot * SLOT_BYTES), dev_slot, FIRST_IRQ + dev_slot,
	       rd(VIRTIO_MMIO_VENDOR_ID), version, version == 2 ? "modern" : "legacy");
}

/* Reset, ACKNOWLEDGE, DRIVER, features. Modern: the device must offer
 * VERSION_1; the driver accepts it alone and FEATURES_OK sticks. Legacy:
 * no features, no FEATURES_OK (it does not exist there). */
static void t_features(void)
{
	uint32_t lo, hi, st;

	CHECK(dev, "no device");
	CHECK(dev_reset(), "Status reads %#x after reset", rd(VIRTIO_MMIO_STATUS));
	CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "InterruptStatus %#x after reset",
	      rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	printf("virtio_rng: device features %#x %08x\n", hi, lo);
	if (version == 2) {
		CHECK(hi & (1u << (VIRTIO_F_VERSION_1 - 32)), "modern device without VIRTIO_F_VERSION_1");
		wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
		wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
		wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
		wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK);
		st = rd(VIRTIO_MMIO_STATUS);
		CHECK(st & VIRTIO_STATUS_FEATURES_OK, "device refused FEATURES_OK: Status %#x", st);
	} else {
		wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
		wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
		wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, (uint32_t)PG);
		st = rd(VIRTIO_MMIO_STATUS);
	}
	CHECK(!(st & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET)), "Status %#x", st);
	dev_ready = true;
}

/* The DMA memory: a contiguous MemoryObject whose pages MEMOBJ_PADDR
 * reports at consecutive physical addresses in RAM; out of range is
 * ERR_RANGE, a copy without manage right ERR_PERM; it maps read-write
 * and starts zeroed. */
static void t_dma_memory(void)
{
	struct cairn_msg m;
	cap_t ro = CAP_NULL;
	void *va;

	c_dma = mk(OBJ_MEMOBJ, DMA_PAGES, MEMOBJ_CONTIG);
	CHECK(c_dma != CAP_NULL, "PROC_CREATE of a %u-page contiguous MemoryObject failed", DMA_PAGES);
	CHECK_OK(inv(c_dma, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	CHECK(m.w[0] == DMA_PAGES && (m.w[1] & MEMOBJ_CONTIG), "info: %lu pages, flags %#lx",
	      (unsigned long)m.w[0], (unsigned long)m.w[1]);
	CHECK_OK(inv(c_dma, MEMOBJ_PADDR, 0, 0, 0, 0, &m));
	q.pa = m.w[0];
	CHECK(q.pa && !(q.pa & (PG - 1)), "physical address %#lx", (unsigned long)q.pa);
	CHECK(q.pa >= RAM_PADDR, "physical address %#lx is not in RAM", (unsigned long)q.pa);
	for (unsigned i = 1; i < DMA_PAGES; i++) {
		CHECK_OK(inv(c_dma, MEMOBJ_PADDR, i, 0, 0, 0, &m));
		CHECK(m.w[0] == q.pa + i * PG, "page %u at %#lx, want %#lx (not contiguous)", i,
		      (unsigned long)m.w[0], (unsigned long)(q.pa + i * PG));
	}
	EXPECT_ERR(inv(c_dma, MEMOBJ_PADDR, DMA_PAGES, 0, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(c_dma, MEMOBJ_PADDR, UINT64_MAX, 0, 0, 0, NULL), ERR_RANGE);
	CHECK_OK(cairn_cap_copy(c_dma, RIGHT_READ | RIGHT_WRITE, &ro));
	EXPECT_ERR(inv(ro, MEMOBJ_PADDR, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&ro);
	CHECK_OK(cairn_map(c_dma, 0, DMA_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &va));
	q.va = va;
	for (unsigned i = 0; i < DMA_PAGES * PG; i++)
		CHECK(q.va[i] == 0, "byte %u of the new MemoryObject is %#x", i, q.va[i]);
}

/* Queue 0 set up in the DMA memory, DRIVER_OK, and the device takes it:
 * modern QueueReady reads 1, legacy QueuePFN reads back. */
static void t_queue_ready(void)
{
	uint32_t max, st;
	uint64_t da, aa, ua;

	CHECK(dev_ready && q.va, "no device or no DMA memory");
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	if (version == 2)
		CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "QueueReady %u before set-up",
		      rd(VIRTIO_MMIO_QUEUE_READY));
	else
		CHECK(rd(VIRTIO_MMIO_QUEUE_PFN) == 0, "QueuePFN %#x before set-up", rd(VIRTIO_MMIO_QUEUE_PFN));
	max = rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	CHECK(max > 0, "QueueNumMax 0: the device has no queue 0");
	q.num = max < QSIZE_MAX ? max : QSIZE_MAX;
	q.desc = (struct virtq_desc *)q.va;
	q.avail = (struct virtq_avail *)(q.va + VIRTQ_DESC_BYTES(q.num));
	q.used = (struct virtq_used *)(q.va + USED_OFF);
	q.last_used = 0;
	CHECK(VIRTQ_DESC_BYTES(q.num) + VIRTQ_AVAIL_BYTES(q.num) <= USED_OFF, "layout");
	da = q.pa;
	aa = q.pa + VIRTQ_DESC_BYTES(q.num);
	ua = q.pa + USED_OFF;
	wr(VIRTIO_MMIO_QUEUE_NUM, q.num);
	if (version == 2) {
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)da);
		wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(da >> 32));
		wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)aa);
		wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(aa >> 32));
		wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)ua);
		wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(ua >> 32));
		mb();
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
		CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 1, "QueueReady reads %u", rd(VIRTIO_MMIO_QUEUE_READY));
	} else {
		/* the used ring at the first QALIGN boundary after the available ring */
		CHECK(USED_OFF == ((VIRTQ_DESC_BYTES(q.num) + VIRTQ_AVAIL_BYTES(q.num) + QALIGN - 1) &
				   ~(QALIGN - 1)), "legacy layout");
		CHECK((q.pa >> 12) >> 32 == 0, "DMA memory above 16 TiB: no legacy QueuePFN for it");
		wr(VIRTIO_MMIO_QUEUE_ALIGN, QALIGN);
		mb();
		wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(q.pa / PG));
		CHECK(rd(VIRTIO_MMIO_QUEUE_PFN) == (uint32_t)(q.pa / PG), "QueuePFN reads %#x, want %#lx",
		      rd(VIRTIO_MMIO_QUEUE_PFN), (unsigned long)(q.pa / PG));
	}
	st = rd(VIRTIO_MMIO_STATUS);
	wr(VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	st = rd(VIRTIO_MMIO_STATUS);
	CHECK((st & VIRTIO_STATUS_DRIVER_OK) && !(st & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET)),
	      "Status %#x after DRIVER_OK", st);
	printf("virtio_rng: queue 0: %u entries (max %u), rings at %#lx/%#lx/%#lx\n", q.num, max,
	       (unsigned long)da, (unsigned long)aa, (unsigned long)ua);
	queue_ready = true;
}

/* The seven lines without a device are bound to their own Notification
 * and unmasked: any interrupt on them is a stray one (checked at the end). */
static void t_other_lines(void)
{
	CHECK(dev_slot >= 0, "no device");
	for (unsigned i = 0; i < NSLOTS; i++) {
		if ((int)i == dev_slot)
			continue;
		CHECK_OK(inv1(c_irq[i], IRQ_BIND, c_others, 1ull << (FIRST_IRQ + i), 0, 0, 0, NULL));
		CHECK_OK(inv(c_irq[i], IRQ_ACK, 0, 0, 0, 0, NULL));
	}
}

/* A request before the line is bound: the device completes it (polled)
 * and raises its interrupt (InterruptStatus), which the kernel holds
 * masked: nothing is delivered anywhere. */
static void t_polled_request(void)
{
	uint32_t st;
	unsigned r;

	CHECK(queue_ready, "no queue");
	r = post();
	CHECK(poll_used(WAIT_NS), "request %u: the device returned no used buffer in %lu ms", r,
	      (unsigned long)(WAIT_NS / 1000000));
	if (!take_used(r, __LINE__))
		return;
	st = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	CHECK(st & VIRTIO_MMIO_INT_VRING, "InterruptStatus %#x after a completed request", st);
	EXPECT_ERR(cairn_wait(c_note, 0, NULL), ERR_AGAIN);
}

/* IRQ_ACK before IRQ_BIND is accepted (ERR_OK: nothing to re-enable) but
 * must not unmask the line: the device's pending interrupt is neither
 * taken then (it would be lost, with nobody to signal) nor forgotten:
 * after IRQ_BIND and IRQ_ACK it arrives, once. */
static void t_ack_before_bind(void)
{
	uint64_t bits;
	uint32_t st;
	err_t e;

	CHECK(queue_ready && line != CAP_NULL, "no queue");
	CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING, "no interrupt pending at the device");
	CHECK_OK(inv(line, IRQ_ACK, 0, 0, 0, 0, NULL));
	sleep_ns(SHORT_NS);
	CHECK_OK(inv1(line, IRQ_BIND, c_note, IRQ_BIT, 0, 0, 0, NULL));
	line_bound = true;
	CHECK_OK(inv(line, IRQ_ACK, 0, 0, 0, 0, NULL));
	e = wait_unmasked(&bits, __LINE__);
	CHECK(e == ERR_OK && bits == IRQ_BIT,
	      "the interrupt pending before IRQ_BIND was lost: wait %s, bits %#lx", err_name(e),
	      (unsigned long)bits);
	st = dev_irq_ack();
	CHECK(st & VIRTIO_MMIO_INT_VRING, "InterruptStatus %#x", st);
	CHECK_OK(inv(line, IRQ_ACK, 0, 0, 0, 0, NULL));
	EXPECT_ERR(cairn_wait(c_note, SHORT_NS, &bits), ERR_TIMEDOUT);
}

/* A request served by its interrupt: the Notification gets the line's bit
 * (only the kernel's interrupt handler signals it), the device says
 * "used buffer", the used ring has the request. */
static void t_irq_delivered(void)
{
	CHECK(line_bound, "line not bound");
	if (!request_irq(__LINE__))
		return;
	printf("virtio_rng: request to interrupt: %lu us\n", (unsigned long)(irq_latency_ns / 1000));
}

/* After IRQ_ACK the line interrupts again: more requests, one interrupt
 * each, nothing in between. */
static void t_irq_rearms(void)
{
	CHECK(line_bound, "line not bound");
	for (int i = 0; i < 5; i++) {
		if (!request_irq(__LINE__))
			return;
		CHECK_ERR(cairn_wait(c_note, 0, NULL), ERR_AGAIN);
	}
}

/* Until IRQ_ACK the line stays masked: the device completes a request and
 * raises its interrupt, nothing is delivered; IRQ_ACK then delivers it. */
static void t_masked_until_ack(void)
{
	uint64_t bits;
	unsigned r;
	uint32_t st;
	err_t e;

	CHECK(line_bound, "line not bound");
	r = post();
	CHECK_OK(cairn_wait(c_note, WAIT_NS, &bits));
	CHECK(bits == IRQ_BIT, "bits %#lx", (unsigned long)bits);
	CHECK(dev_irq_ack() & VIRTIO_MMIO_INT_VRING, "no used-buffer interrupt");
	if (!take_used(r, __LINE__))
		return;
	/* the line is masked now (no IRQ_ACK yet) */
	r = post();
	CHECK(poll_used(WAIT_NS), "request %u: no used buffer", r);
	if (!take_used(r, __LINE__))
		return;
	st = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	CHECK(st & VIRTIO_MMIO_INT_VRING, "InterruptStatus %#x: the device raised nothing", st);
	e = cairn_wait(c_note, SHORT_NS, &bits);
	CHECK(e == ERR_TIMEDOUT, "interrupt delivered on a masked line: wait %s, bits %#lx", err_name(e),
	      (unsigned long)bits);
	CHECK_OK(inv(line, IRQ_ACK, 0, 0, 0, 0, NULL));
	e = wait_unmasked(&bits, __LINE__);
	CHECK(e == ERR_OK && bits == IRQ_BIT, "after IRQ_ACK: wait %s, bits %#lx", err_name(e),
	      (unsigned long)bits);
	CHECK(dev_irq_ack() & VIRTIO_MMIO_INT_VRING, "no used-buffer interrupt");
	CHECK_OK(inv(line, IRQ_ACK, 0, 0, 0, 0, NULL));
}

/* The bytes look random: no request all zeros or all one value, no two
 * requests alike, and together they use most byte values. */
static void t_bytes_random(void)
{
	static bool seen[256];
	unsigned distinct = 0;

	CHECK(ndone >= 3, "only %u requests completed", ndone);
	for (unsigned r = 0; r < ndone; r++) {
		unsigned same = 0;
		for (unsigned i = 1; i < REQ_BYTES; i++)
			same += got[r][i] == got[r][0];
		CHECK(same < REQ_BYTES - 1, "request %u: all %u bytes are %#x", r, REQ_BYTES, got[r][0]);
		for (unsigned s = 0; s < r; s++)
			CHECK(memcmp(got[r], got[s], REQ_BYTES), "requests %u and %u brought the same bytes", s, r);
		for (unsigned i = 0; i < REQ_BYTES; i++)
			if (!seen[got[r][i]]) {
				seen[got[r][i]] = true;
				distinct++;
			}
	}
	/* n random bytes leave about 256 * (255/256)^n values unused (fixed
	 * point, 32 fraction bits); allow 20 more than that (about 4 sd) */
	uint64_t unused = 256ull << 32;
	for (unsigned i = 0; i < ndone * REQ_BYTES; i++)
		unused = unused / 256 * 255;
	unsigned want = 256 - (unsigned)(unused >> 32) - 20;
	CHECK(distinct >= want, "%u requests use only %u distinct byte values, want at least %u",
	      ndone, distinct, want);
	printf("virtio_rng: %u requests of %u bytes, %u distinct byte values; first bytes "
	       "%02x%02x%02x%02x%02x%02x%02x%02x\n", ndone, REQ_BYTES, distinct, got[0][0], got[0][1],
	       got[0][2], got[0][3], got[0][4], got[0][5], got[0][6], got[0][7]);
}

/* Without a request the wait times out: no spurious interrupts, the
 * device has nothing pending, no used buffer appeared. */
static void t_quiet(void)
{
	uint64_t bits, t0, t;
	uint16_t u;
	err_t e;

	CHECK(line_bound, "line not bound");
	u = used_idx();
	t0 = now_ns();
	e = cairn_wait(c_note, QUIET_NS, &bits);
	t = now_ns() - t0;
	CHECK(e == ERR_TIMEDOUT, "wait without a request: %s, bits %#lx", err_name(e), (unsigned long)bits);
	EXPECT(t >= QUIET_NS, "timed out after %lu us, before the timeout", (unsigned long)(t / 1000));
	EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "InterruptStatus %#x",
	       rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT(used_idx() == u, "used.idx moved from %u to %u", u, used_idx());
}

/* None of the seven lines without a device interrupted during the run. */
static void t_other_lines_quiet(void)
{
	uint64_t bits;
	err_t e;

	CHECK(c_others != CAP_NULL && dev_slot >= 0, "not set up");
	e = cairn_wait(c_others, 0, &bits);
	CHECK(e == ERR_AGAIN, "lines without a device interrupted: %s, bits %#lx", err_name(e),
	      (unsigned long)bits);
}

/* Reset stops the device: Status and the queue read 0, a notify then
 * brings nothing, and the DMA memory can go (its pages come back). */
static void t_reset(void)
{
	uint64_t bits;
	uint16_t u;
	err_t e;

	CHECK(dev_ready, "no device");
	CHECK(dev_reset(), "Status reads %#x after reset", rd(VIRTIO_MMIO_STATUS));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	if (version == 2)
		EXPECT(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "QueueReady %u after reset", rd(VIRTIO_MMIO_QUEUE_READY));
	else
		EXPECT(rd(VIRTIO_MMIO_QUEUE_PFN) == 0, "QueuePFN %#x after reset", rd(VIRTIO_MMIO_QUEUE_PFN));
	if (queue_ready) {
		u = used_idx();
		post();
		e = cairn_wait(c_note, SHORT_NS, &bits);
		EXPECT(e == ERR_TIMEDOUT, "a reset device interrupted: %s", err_name(e));
		EXPECT(used_idx() == u, "a reset device used a buffer");
		EXPECT(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "InterruptStatus %#x",
		       rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	}
	dev_ready = queue_ready = false;
}

/* The DMA memory and the mappings go; the pages come back. */
static void t_release(void)
{
	uint64_t before = free_pages(), after;

	if (q.va)
		EXPECT_OK(cairn_unmap(q.va, DMA_PAGES));
	q.va = NULL;
	del(&c_dma);
	after = free_pages();
	EXPECT(after >= before + DMA_PAGES, "free pages %lu before releasing the DMA memory, %lu after",
	       (unsigned long)before, (unsigned long)after);
	if (mmio)
		EXPECT_OK(cairn_unmap((void *)mmio, NSLOTS));
	mmio = dev = NULL;
}

static const struct t_case tests[] = {
	{ "rng.caps", t_caps },
	{ "rng.mmio_map", t_mmio_map },
	{ "rng.mmio_rights", t_mmio_rights },
	{ "rng.device_found", t_device_found },
	{ "rng.features", t_features },
	{ "rng.dma_memory", t_dma_memory },
	{ "rng.queue_ready", t_queue_ready },
	{ "rng.other_lines_bound", t_other_lines },
	{ "rng.polled_request", t_polled_request },
	{ "rng.irq_ack_before_bind", t_ack_before_bind },
	{ "rng.irq_delivered", t_irq_delivered },
	{ "rng.irq_ack_rearms", t_irq_rearms },
	{ "rng.masked_until_irq_ack", t_masked_until_ack },
	{ "rng.bytes_random", t_bytes_random },
	{ "rng.wait_times_out_without_request", t_quiet },
	{ "rng.other_lines_quiet", t_other_lines_quiet },
	{ "rng.reset_quiesces", t_reset },
	{ "rng.dma_released", t_release },
};

/* driver.c's main() without --mmio or --pci */
int rng_selftest(int argc, char **argv);
int rng_selftest(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);
	char name[8];

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "strict"))
			strict = true;
	c_regs = cairn_cap("regs");
	c_kinfo = cairn_cap("kinfo");
	for (unsigned i = 0; i < NSLOTS; i++) {
		fmt_snprintf(name, sizeof(name), "irq%u", FIRST_IRQ + i);
		c_irq[i] = cairn_cap(name);
	}
	c_note = mk(OBJ_NOTIFICATION, 0, 0);
	c_others = mk(OBJ_NOTIFICATION, 0, 0);
	c_sleep = mk(OBJ_NOTIFICATION, 0, 0);
	if (c_kinfo == CAP_NULL || c_note == CAP_NULL || c_others == CAP_NULL || c_sleep == CAP_NULL) {
		return t_abort("virtio_rng: needs the capability kinfo and three Notifications");
	}
	t_begin("virtio_rng", n);
	t_run_all(tests, n);
	if (late_irqs)
		printf("virtio_rng: %u interrupt%s pending at IRQ_ACK came late (%s)\n", late_irqs,
		       late_irqs == 1 ? "" : "s", strict ? "failures" : "tolerated without \"strict\"");
	return t_end(NULL) ? 1 : 0;
}
