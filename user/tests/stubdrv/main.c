// SPDX-License-Identifier: MIT
/*
 * stubdrv: a stand-in driver for the device manager's tests
 * (user/tests/devtest). It checks that it was started as
 * include/cairn/dev.h says (exactly the contract's capabilities, of the
 * right types and rights, and its arguments), maps its registers and
 * reads the virtio-mmio magic and device id or the PCI ids through them
 * (and finds a virtio-mmio device reset, Status 0),
 * binds its IrqLine, says DEV_READY after STUB_READY_DELAY_NS, then
 * answers STUB_PING on `svc` and crashes on STUB_CRASH. With the extra
 * argument --fail it crashes at once (a driver that always fails). With
 * --edu (QEMU's `edu` PCI device, which raises INTx when asked) it checks
 * first that the device's interrupt reaches it through `irq`: the routing
 * the device manager worked out (interrupt-map, q35's ICH9) is the right
 * line. With --hang it never says DEV_READY (the device manager's ready
 * timeout must stop it). With --fail-restarted it works when first
 * started and crashes at once in every restart (its `devmgr` badge's
 * generation says which start it is): a device that was up, whose
 * clients hold its service, and that the device manager then gives up.
 */
#include <stdbool.h>
#include <string.h>
#include <stdlib.h>
#include <cairn/rt.h>
#include <cairn/dev.h>
#include "stub.h"

static const char *name = "?";
static unsigned problems;

#define BAD(...) do { printf("stubdrv %s: ", name); printf(__VA_ARGS__); printf("\n"); problems++; } while (0)

static void ident(cap_t c, uint64_t *type, uint64_t *rights, uint64_t *badge)
{
	uint64_t r[4] = { 0 };

	cairn_cap_identify(c, r);
	*type = r[0];
	*rights = r[1];
	*badge = r[2];
}

/* Each capability is one the contract names, with its type and rights. */
static void check_caps(bool pci)
{
	const char *n;
	cap_t c;

	for (unsigned i = 0; (n = cairn_cap_name(i, &c)); i++) {
		uint64_t type, rights, badge;
		ident(c, &type, &rights, &badge);
		if (!strcmp(n, "console")) {
			if (type != OBJ_DEBUG_CONSOLE || rights != RIGHT_WRITE)
				BAD("console: type %lu rights %#lx", (unsigned long)type, (unsigned long)rights);
		} else if (!strcmp(n, "devmgr")) {
			if (type != OBJ_ENDPOINT || rights != RIGHT_WRITE || !badge)
				BAD("devmgr: type %lu rights %#lx badge %#lx", (unsigned long)type,
				    (unsigned long)rights, (unsigned long)badge);
		} else if (!strcmp(n, "svc")) {
			if (type != OBJ_ENDPOINT || rights != (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT))
				BAD("svc: type %lu rights %#lx", (unsigned long)type, (unsigned long)rights);
		} else if (!strcmp(n, "dma")) {
			struct cairn_msg m = { 0 };
			if (type != OBJ_MEMOBJ || rights != RIGHTS_ALL ||
			    cairn_invoke(c, MEMOBJ_INFO, 0, 0, 0, 0, 0, &m) || m.w[0] != DEV_DMA_PAGES ||
			    !(m.w[1] & MEMOBJ_CONTIG))
				BAD("dma: type %lu rights %#lx, %lu pages flags %#lx", (unsigned long)type,
				    (unsigned long)rights, (unsigned long)m.w[0], (unsigned long)m.w[1]);
		} else if (!strcmp(n, "irq")) {
			if (type != OBJ_IRQLINE)
				BAD("irq: type %lu", (unsigned long)type);
		} else if (!strcmp(n, pci ? "cfg" : "regs")) {
			if (type != OBJ_MMIO || (rights & (RIGHT_READ | RIGHT_WRITE)) != (RIGHT_READ | RIGHT_WRITE))
				BAD("%s: type %lu rights %#lx", n, (unsigned long)type, (unsigned long)rights);
		} else if (pci && !strncmp(n, "bar", 3) && n[3] >= '0' && n[3] <= '5' && !n[4]) {
			if (!(rights & RIGHT_READ))
				BAD("%s: rights %#lx", n, (unsigned long)rights);
		} else {
			BAD("a capability the contract does not name: %s", n);
		}
	}
	if (cairn_cap("irq") == CAP_NULL)
		BAD("no irq");
	if (cairn_cap("dma") == CAP_NULL || cairn_cap("svc") == CAP_NULL || cairn_cap("devmgr") == CAP_NULL)
		BAD("dma, svc or devmgr missing");
}

/* QEMU's edu device: BAR 0 holds its registers; writing bits to 0x60
 * raises its interrupt (INTx: MSI is off), 0x24 reads them, writing them
 * to 0x64 lowers it. Returns 1 when the interrupt arrived on `irq`. */
#define EDU_ID         0x00
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64

static uint64_t edu_irq(cap_t note)
{
	cap_t bar = cairn_cap("bar0"), irq = cairn_cap("irq");
	volatile uint32_t *r;
	uint64_t bits = 0;
	void *va;
	err_t e;

	if (bar == CAP_NULL || cairn_map(bar, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
		BAD("edu: cannot map bar0");
		return 0;
	}
	r = va;
	if ((r[EDU_ID / 4] & 0xff) != 0xed)
		BAD("edu: id register %#x", r[EDU_ID / 4]);
	r[EDU_IRQ_RAISE / 4] = 1;
	e = cairn_wait(note, 1000000000ull, &bits);
	printf("stubdrv %s: edu interrupt: %s (status %#x)\n", name, e ? err_name(e) : "delivered",
	       r[EDU_IRQ_STATUS / 4]);
	r[EDU_IRQ_ACK / 4] = r[EDU_IRQ_STATUS / 4];
	if (irq != CAP_NULL)
		cairn_invoke(irq, IRQ_ACK, 0, 0, 0, 0, 0, NULL);
	return !e && bits == 1;
}

static void crash(void)
{
	printf("stubdrv %s: crashing as asked\n", name);
	cairn_console_flush();
	*(volatile int *)0xdead000ul = 1;   /* below the program: never mapped */
}

int main(int argc, char **argv)
{
	const char *mmio = NULL, *pci = NULL;
	bool fail = false, edu = false, hang = false, fail_restarted = false;
	volatile uint8_t *regs;
	uint64_t id0, id1, oid, r[4];
	struct cairn_msg m;
	cap_t svc = cairn_cap("svc"), devmgr = cairn_cap("devmgr"), regcap, note;
	void *va;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--mmio") && i + 1 < argc)
			mmio = argv[++i];
		else if (!strcmp(argv[i], "--pci") && i + 1 < argc)
			pci = argv[++i];
		else if (!strcmp(argv[i], "--fail"))
			fail = true;
		else if (!strcmp(argv[i], "--edu"))
			edu = true;
		else if (!strcmp(argv[i], "--hang"))
			hang = true;
		else if (!strcmp(argv[i], "--fail-restarted"))
			fail_restarted = true;
		else
			BAD("unknown argument %s", argv[i]);
	}
	if (fail_restarted) {
		uint64_t type, rights, badge;

		ident(devmgr, &type, &rights, &badge);
		if ((badge >> 8 & 0xffffff) > 1)
			fail = true;                /* not the first start */
	}
	if (fail)
		crash();
	if (!mmio == !pci)
		BAD("want one of --mmio and --pci");
	check_caps(pci != NULL);
	regcap = cairn_cap(pci ? "cfg" : "regs");
	if (regcap == CAP_NULL || cairn_map(regcap, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
		BAD("cannot map %s", pci ? "cfg" : "regs");
		return 1;
	}
	regs = va;
	if (cairn_invoke(regcap, MEMOBJ_INFO, 0, 0, 0, 0, 0, &m) ||
	    (mmio && m.w[1] != strtoul(mmio, NULL, 0)))
		BAD("regs at %#lx, --mmio says %s", (unsigned long)m.w[1], mmio ? mmio : "-");
	id0 = *(volatile uint32_t *)regs;
	id1 = *(volatile uint32_t *)(regs + 8);
	/* the device manager reset a virtio-mmio device before this start
	 * (dev.h: quiesced when the last driver ended); this driver marks it
	 * (ACKNOWLEDGE), so the next one sees whether it was reset again */
	/* a PCI function decodes memory, may master the bus and raise INTx
	 * (the device manager undid its quiescing, if any) */
	if (pci) {
		uint16_t cmd = *(volatile uint16_t *)(regs + 4);
		if ((cmd & 0x6) != 0x6 || (cmd & 0x400))
			BAD("PCI command %#x: want memory and bus master on, INTx enabled", cmd);
	}
	if (mmio) {
		volatile uint32_t *status = (volatile uint32_t *)(regs + 0x70);
		if (*status != 0)
			BAD("virtio-mmio Status %#x at start: the device was not reset", *status);
		*status = 1;
	}
	/* every memory BAR the function decodes has its region */
	for (unsigned i = 0; pci && i < 6; i++) {
		uint32_t bar = *(volatile uint32_t *)(regs + 0x10 + 4 * i);
		char bn[5] = { 'b', 'a', 'r', (char)('0' + i), 0 };
		bool is64 = !(bar & 1) && (bar >> 1 & 3) == 2;
		if (!(bar & 1) && (bar & ~0xfu) && cairn_cap(bn) == CAP_NULL)
			BAD("memory BAR %u at %#x without %s", i, bar & ~0xfu, bn);
		i += is64;
	}
	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		return 1;
	note = m.w[0];
	if (cairn_invoke_cap(cairn_cap("irq"), IRQ_BIND, note, 1, 0, 0, 0, NULL) ||
	    cairn_invoke(cairn_cap("irq"), IRQ_ACK, 0, 0, 0, 0, 0, NULL))
		BAD("cannot bind irq");
	if (edu)
		id1 = edu_irq(note);
	cairn_cap_identify(SLOT_SELF_PROC, r);
	oid = r[3];
	/* a driver that takes a while: DEV_LOOKUP must wait for it */
	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m) == ERR_OK)
		cairn_wait(m.w[0], STUB_READY_DELAY_NS, NULL);
	if (problems)
		printf("stubdrv %s: %u problems\n", name, problems);
	if (hang) {
		printf("stubdrv %s: never saying DEV_READY\n", name);
		cairn_wait(note, CAIRN_FOREVER, NULL);
	}
	if (cairn_invoke(devmgr, DEV_READY, 0, 0, 0, 0, 0, NULL))
		BAD("DEV_READY refused");
	m = cairn_recv(svc, 0);
	for (;;) {
		uint32_t label = cairn_tag_label(m.tag);
		if (m.err) {
			m = cairn_recv(svc, 0);
			continue;
		}
		if (label == STUB_CRASH)
			crash();
		if (label == STUB_PING)
			m = cairn_reply_recv(svc, cairn_tag(0, CAIRN_MSG_REGS, 0), id0, id1, oid, problems);
		else
			m = cairn_reply_recv(svc, cairn_tag(ERR_NOSYS, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	}
}
