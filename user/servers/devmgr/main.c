// SPDX-License-Identifier: MIT
/*
 * devmgr: the device manager (docs/devices.md, protocol in
 * include/cairn/dev.h). At start it reads the firmware's tables (fw.c),
 * walks the virtio-mmio slots and PCI Express (bus.c), logs one line per
 * device, and starts a driver process for each device its table has a
 * driver for, with exactly the capabilities and arguments dev.h lists.
 * Then it serves the registry on the server skeleton: DEV_LOOKUP (the
 * answer waits, as a saved Reply, until the driver says DEV_READY),
 * DEV_LIST, DEV_READY (drivers), DEV_RESTART (the manage badge).
 *
 * A driver's end signals its device's bit of a Notification that the
 * skeleton's relay turns into event(): devmgr logs how it ended, quiesces
 * the device, gives the DMA memory back and starts it again, up to
 * DEV_RESTART_MAX times in a row without a DEV_READY; then the device is
 * `failed` and lookups say ERR_NODEV. A driver that has not said
 * DEV_READY within the ready timeout (--ready-timeout MS, 10 s by default)
 * is killed, which counts as a failure: no lookup waits for ever.
 *
 * The manage badge: a capability to devmgr's endpoint minted with
 * BADGE_MANAGE. A second thread hands it out (DEV_MANAGE) to whoever holds
 * the `admin` endpoint the manifest gives devmgr, so that authority is the
 * manifest's to give.
 *
 * Arguments: --ready-timeout MS (or --ready-timeout=MS: a manifest line
 * has room for 8 arguments); --driver ID=STEM:PATH[:ARG][,...]
 * replaces or adds table entries (ID a virtio device id, or pci:VVVV:DDDD
 * for a PCI function by its ids; names STEM, STEM1.. or with STEM "blk#"
 * blk0, blk1..; the program PATH in the boot image, "-" for none; one
 * more argument ARG).
 */
#include <string.h>
#include <stdlib.h>
#include <format.h>
#include <lib/cpio.h>
#include <cairn/server.h>
#include "devmgr.h"

#define BADGE_MANAGE  (1ull << 62)
#define BADGE_DRIVER  (1ull << 61)         /* | gen << 8 | device index */
#define DRIVER_QUOTA  DEV_DRIVER_QUOTA
#define DRIVER_PRIO   PRIO_DRIVER   /* above every POSIX thread, SCHED_FIFO ones too */
#define MAX_DRIVERS   16
#define LIST_MAX      4000                 /* DEV_LIST's bytes a message */
#define TIMER_BIT     (1ull << 48)         /* the ready timeout's check (device bits below) */
#define RESTART_BIT   (1ull << 49)         /* a restart's wait is over */
#define RESTART_STEP_NS 100000000ull       /* the wait before restart n: n times this */

struct device devs[MAX_DEVS];
unsigned ndevs;

static struct driver drivers[MAX_DRIVERS] = {
	{ .virtio_id = 1, .stem = "net", .numbered = true, .path = "bin/virtio_net" },
	{ .virtio_id = 2, .stem = "blk", .numbered = true, .path = "bin/virtio_blk" },
	{ .virtio_id = 4, .stem = "rng", .path = "bin/virtio_rng" },
};
static unsigned ndrivers = 3;

static cap_t ep, note, console, bootimage, manage_cap = CAP_NULL;
static const void *image;
static uint64_t image_size;
static struct srv srv;
static uint8_t in_buf[64];
static uint64_t ready_timeout_ns = 10000000000ull;

/* ---- the table ------------------------------------------------------------------------------ */

struct driver *driver_for(uint32_t virtio_id, uint16_t pci_vendor, uint16_t pci_device)
{
	for (unsigned i = 0; i < ndrivers; i++) {
		struct driver *d = &drivers[i];
		if (virtio_id ? d->virtio_id == virtio_id
			      : !d->virtio_id && d->pci_vendor == pci_vendor && d->pci_device == pci_device)
			return d->path[0] ? d : NULL;
	}
	return NULL;
}

/* One table entry: ID=STEM:PATH[:ARG], ID a virtio device id or
 * pci:VVVV:DDDD (hex PCI vendor and device ids); PATH "-": no driver. */
static err_t driver_entry(const char *s, size_t len)
{
	char buf[96], *end, *stem, *path, *arg;
	unsigned long id = 0, ven = 0, dev = 0;
	struct driver *d = NULL;

	if (len >= sizeof(buf))
		return ERR_INVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!strncmp(buf, "pci:", 4)) {
		ven = strtoul(buf + 4, &end, 16);
		if (end == buf + 4 || *end != ':' || ven > 0xffff)
			return ERR_INVAL;
		dev = strtoul(end + 1, &end, 16);
		if (dev > 0xffff)
			return ERR_INVAL;
	} else {
		id = strtoul(buf, &end, 0);
		if (end == buf || !id || id > 0xffff)
			return ERR_INVAL;
	}
	if (*end != '=' || !(path = strchr(stem = end + 1, ':')))
		return ERR_INVAL;
	*path++ = 0;
	if ((arg = strchr(path, ':')))
		*arg++ = 0;
	for (unsigned i = 0; i < ndrivers; i++)
		if (drivers[i].virtio_id == id && (id || (drivers[i].pci_vendor == ven &&
							  drivers[i].pci_device == dev)))
			d = &drivers[i];
	if (!d) {
		if (ndrivers == MAX_DRIVERS)
			return ERR_NOSPC;
		d = &drivers[ndrivers++];
	}
	memset(d, 0, sizeof(*d));
	d->virtio_id = (uint32_t)id;
	d->pci_vendor = (uint16_t)ven;
	d->pci_device = (uint16_t)dev;
	size_t n = strlen(stem);
	if (n && stem[n - 1] == '#') {
		d->numbered = true;
		stem[--n] = 0;
	}
	if (!n || n > DEV_NAME_MAX - 2 || !*path || strlen(path) >= sizeof(d->path) ||
	    (arg && strlen(arg) >= sizeof(d->arg)))
		return ERR_INVAL;
	strlcpy(d->stem, stem, sizeof(d->stem));
	strlcpy(d->path, strcmp(path, "-") ? path : "", sizeof(d->path));
	if (arg)
		strlcpy(d->arg, arg, sizeof(d->arg));
	return ERR_OK;
}

/* --driver ENTRY[,ENTRY...] */
static err_t driver_arg(const char *s)
{
	err_t e;

	for (;;) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		if ((e = driver_entry(s, n)))
			return e;
		if (!c)
			return ERR_OK;
		s = c + 1;
	}
}

struct device *dev_new(void)
{
	if (ndevs == MAX_DEVS) {
		LOG("more than %u devices: the rest are not listed\n", MAX_DEVS);
		return NULL;
	}
	return &devs[ndevs++];
}

/* IrqLines by number: a line two functions share (PCI INTx) is asked for
 * once and each driver gets a copy. */
static struct { uint32_t irq; cap_t cap; } lines[MAX_DEVS];
static unsigned nlines;

err_t get_irq(uint32_t irq, cap_t *out)
{
	struct cairn_msg m;
	cap_t ctl = cairn_cap("irqctl");
	err_t e;

	for (unsigned i = 0; i < nlines; i++)
		if (lines[i].irq == irq) {
			*out = lines[i].cap;
			return ERR_OK;
		}
	/* flags 0 (w1): the platform's mode for the line, which is right for
	 * every line found here: x86-64 takes GSIs 16 and up (PCI INTx) as
	 * level and active low, riscv64's PLIC has one mode, and virtio-mmio
	 * lines are the PLIC's too */
	if (ctl == CAP_NULL)
		return ERR_NOENT;
	if (nlines == MAX_DEVS)
		return ERR_NOSPC;
	if ((e = cairn_invoke(ctl, IRQCTL_GET, 0, irq, 0, 0, 0, &m)))
		return e;
	lines[nlines].irq = irq;
	lines[nlines++].cap = *out = m.w[0];
	return ERR_OK;
}

/* ---- drivers -------------------------------------------------------------------------------- */

static const char *state_name(enum dev_state s)
{
	static const char *const n[] = { "none", "starting", "up", "restarting", "failed" };
	return n[s];
}

/* Answers a saved DEV_LOOKUP: the service's endpoint, or the error. */
static void answer_waiter(cap_t reply, err_t err, cap_t cap)
{
	unsigned n = 0;

	if (!err) {
		cairn_ipcbuf()->caps[0] = cap;
		n = 1;
	}
	cairn_send(reply, cairn_tag((uint32_t)err, CAIRN_MSG_REGS, n), 0, 0, 0, 0);
	cairn_cap_delete(reply);
}

static void answer_waiters(struct device *d, err_t err)
{
	for (unsigned i = 0; i < d->nwait; i++)
		answer_waiter(d->waiters[i], err, d->svc_client);
	d->nwait = 0;
}

static void give_up(struct device *d, const char *why)
{
	LOG("%s: %s: giving up (state failed)\n", d->name, why);
	d->state = ST_FAILED;
	answer_waiters(d, ERR_NODEV);
	/* its service endpoint goes: with no capability left that can
	 * receive on it, the calls of clients that looked it up while it was
	 * up fail with ERR_PIPE (the kernel) instead of waiting for ever; a
	 * DEV_RESTART makes a new one */
	cairn_cap_delete(d->svc);
	cairn_cap_delete(d->svc_client);
	d->svc = d->svc_client = CAP_NULL;
}

/* d's service endpoint (d->svc, which its drivers receive on) and the
 * copy its clients get (d->svc_client: write and grant only). */
static err_t svc_new(struct device *d)
{
	struct cairn_msg m;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m)))
		return e;
	d->svc = m.w[0];
	if ((e = cairn_cap_copy(d->svc, RIGHT_WRITE | RIGHT_GRANT, &d->svc_client))) {
		cairn_cap_delete(d->svc);
		d->svc = CAP_NULL;
	}
	return e;
}

/* Starts d's driver with the capabilities and arguments of dev.h. */
static err_t spawn_driver(struct device *d)
{
	struct driver *dr = d->drv;
	struct cairn_spawn_cap caps[6 + NBARS];
	char bars[NBARS][8], addr[24];
	const char *argv[8];
	unsigned nc = 0, argc = 0;
	struct cairn_msg m;
	err_t e;

	if (!dr->elf_size)
		return ERR_NOENT;
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_MEMOBJ, DEV_DMA_PAGES, MEMOBJ_CONTIG,
			      0, &m)))
		return e;
	d->dma = m.w[0];
	d->gen++;
	caps[nc++] = (struct cairn_spawn_cap){ "console", console, RIGHT_WRITE, 0 };
	caps[nc++] = (struct cairn_spawn_cap){ "devmgr", ep, RIGHT_WRITE,
					       BADGE_DRIVER | (uint64_t)d->gen << 8 | (uint64_t)(d - devs) };
	caps[nc++] = (struct cairn_spawn_cap){ "svc", d->svc, RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT, 0 };
	caps[nc++] = (struct cairn_spawn_cap){ "dma", d->dma, RIGHTS_ALL, 0 };
	if (d->irq_cap != CAP_NULL)
		caps[nc++] = (struct cairn_spawn_cap){ "irq", d->irq_cap, RIGHTS_ALL, 0 };
	if (d->regs_cap != CAP_NULL)
		caps[nc++] = (struct cairn_spawn_cap){ d->bus == BUS_MMIO ? "regs" : "cfg", d->regs_cap,
						       RIGHT_READ | RIGHT_WRITE, 0 };
	for (unsigned i = 0; i < NBARS; i++) {
		if (d->bar[i].cap == CAP_NULL)
			continue;
		fmt_snprintf(bars[i], sizeof(bars[i]), "bar%u", i);
		caps[nc++] = (struct cairn_spawn_cap){ bars[i], d->bar[i].cap, RIGHT_READ | RIGHT_WRITE, 0 };
	}
	argv[argc++] = dr->path;
	argv[argc++] = "--name";
	argv[argc++] = d->name;
	if (d->bus == BUS_MMIO) {
		fmt_snprintf(addr, sizeof(addr), "%#lx", (unsigned long)d->paddr);
		argv[argc++] = "--mmio";
	} else {
		fmt_snprintf(addr, sizeof(addr), "%02x:%02x.%u", d->pbus, d->pdev, d->pfn);
		argv[argc++] = "--pci";
	}
	argv[argc++] = addr;
	if (dr->arg[0])
		argv[argc++] = dr->arg;
	struct cairn_spawn sp = {
		.image = bootimage, .offset = dr->elf_off, .size = dr->elf_size, .name = d->name,
		.argc = argc, .argv = argv, .ncaps = nc, .caps = caps, .quota = DRIVER_QUOTA,
		.priority = DRIVER_PRIO, .exit_notify = note, .exit_bits = 1ull << (d - devs),
	};
	dev_unquiesce(d);
	/* at DRIVER_PRIO, or at ours when the manifest gave us less */
	while ((e = cairn_spawn(&sp, &d->child)) == ERR_PERM && sp.priority > 1)
		sp.priority--;
	if (e) {
		dev_quiesce(d);
		cairn_cap_delete(d->dma);
		d->dma = CAP_NULL;
		return e;
	}
	d->running = true;
	return ERR_OK;
}

/* Starts the driver; a start that fails counts as a failure in a row. */
static void start(struct device *d)
{
	err_t e;

	while ((e = spawn_driver(d))) {
		LOG("%s: cannot start %s: %s\n", d->name, d->drv->path, err_name(e));
		if (d->fails == DEV_RESTART_MAX) {
			give_up(d, "its driver did not start");
			return;
		}
		d->fails++;
	}
	if (d->state != ST_RESTARTING)
		d->state = ST_STARTING;
	d->started_ns = cairn_now_ns();
}

/* Restarts wait (a crashing driver's n-th restart n times RESTART_STEP_NS),
 * so that a driver that fails at once cannot keep the device manager
 * restarting it back to back while other drivers' DEV_READY and clients'
 * lookups wait behind its ends. One Timer, set to the earliest wait. */
static cap_t restart_timer = CAP_NULL;

static void restarts_arm(void)
{
	uint64_t first = 0;
	struct cairn_msg m;

	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].restart_at && (!first || devs[i].restart_at < first))
			first = devs[i].restart_at;
	if (restart_timer == CAP_NULL) {
		if (!first)
			return;
		if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_TIMER, 0, 0, 0, &m)) {
			first = 1;           /* no Timer: restart now (below) */
			goto now;
		}
		restart_timer = m.w[0];
	}
	if (!first) {
		cairn_invoke(restart_timer, TIMER_CANCEL, 0, 0, 0, 0, 0, NULL);
		return;
	}
	if (!cairn_invoke_cap(restart_timer, TIMER_SET, note, RESTART_BIT, first, 0, 0, NULL))
		return;
now:
	for (unsigned i = 0; i < ndevs; i++)
		devs[i].restart_at = devs[i].restart_at ? 1 : 0;
}

static void restarts_due(void)
{
	uint64_t now = cairn_now_ns();

	for (unsigned i = 0; i < ndevs; i++) {
		struct device *d = &devs[i];
		if (!d->restart_at || d->restart_at > now)
			continue;
		d->restart_at = 0;
		start(d);
	}
	restarts_arm();
}

/* d's driver ended: how, then quiesce, release, restart or give up. */
static void reap(struct device *d)
{
	struct cairn_proc_status st;
	err_t e = cairn_child_status(&d->child, &st);

	if (!e && st.state == PROC_STATE_RUNNING)
		return;
	if (e)
		LOG("%s: driver ended (no status: %s)\n", d->name, err_name(e));
	else if (st.state == PROC_STATE_EXITED)
		LOG("%s: driver exited with status %ld\n", d->name, (long)st.status);
	else if (st.state == PROC_STATE_FAULTED)
		LOG("%s: driver crashed: fault at %#lx (pc %#lx)\n", d->name, (unsigned long)st.fault_addr,
		    (unsigned long)st.fault_pc);
	else
		LOG("%s: driver was killed (status %ld)\n", d->name, (long)st.status);
	cairn_child_release(&d->child);
	d->running = false;
	/* no DMA from the device into memory we give back */
	dev_quiesce(d);
	cairn_cap_delete(d->dma);
	d->dma = CAP_NULL;
	if (d->restart_asked) {
		d->restart_asked = false;
		d->fails = 0;
		LOG("%s: restarting (DEV_RESTART)\n", d->name);
	} else if (d->fails == DEV_RESTART_MAX) {
		give_up(d, "its driver failed " "every restart");
		return;
	} else {
		d->fails++;
		LOG("%s: restarting (%u of %u)\n", d->name, d->fails, DEV_RESTART_MAX);
		d->state = ST_RESTARTING;
		d->restart_at = cairn_now_ns() + d->fails * RESTART_STEP_NS;
		restarts_arm();
		if (d->restart_at == 1)      /* no Timer */
			restarts_due();
		return;
	}
	d->state = ST_RESTARTING;
	start(d);
}

/* Names the devices that have a driver, makes their service endpoints and
 * starts their drivers. */
static void start_drivers(void)
{
	struct cpio_entry ce;

	for (unsigned i = 0; i < ndrivers; i++) {
		struct driver *dr = &drivers[i];
		if (!dr->path[0])
			continue;
		if (cpio_find(image, image_size, dr->path, &ce) || (ce.mode & CPIO_S_IFMT) != CPIO_S_IFREG) {
			LOG("driver %s: not in the boot image\n", dr->path);
			continue;
		}
		dr->elf_off = (uint64_t)((const char *)ce.data - (const char *)image);
		dr->elf_size = ce.size;
	}
	for (unsigned i = 0; i < ndevs; i++) {
		struct device *d = &devs[i];
		if (!d->drv)
			continue;
		if (d->drv->numbered || d->drv->count)
			fmt_snprintf(d->name, sizeof(d->name), "%s%u", d->drv->stem, d->drv->count);
		else
			strlcpy(d->name, d->drv->stem, sizeof(d->name));
		d->drv->count++;
		if (svc_new(d)) {
			give_up(d, "no endpoint for its service");
			continue;
		}
		start(d);
	}
}

/* ---- the protocol --------------------------------------------------------------------------- */

static struct device *by_name(const uint8_t *s, size_t n)
{
	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].drv && strlen(devs[i].name) == n && !memcmp(devs[i].name, s, n))
			return &devs[i];
	return NULL;
}

/* The name inline (NUL-padded to a whole word, or not at all). */
static err_t name_arg(struct srv_req *r, struct device **out)
{
	size_t n = strnlen((const char *)in_buf, r->nbytes);

	if (n == 0 || n > DEV_NAME_MAX)
		return ERR_INVAL;
	*out = by_name(in_buf, n);
	return *out ? ERR_OK : ERR_NOENT;
}

static void op_lookup(struct srv_req *r, struct srv_ans *a)
{
	struct device *d;
	cap_t reply;

	if ((a->err = name_arg(r, &d)))
		return;
	switch (d->state) {
	case ST_UP:
		a->caps[0] = d->svc_client;
		a->ncaps = 1;
		return;
	case ST_FAILED:
		a->err = ERR_NODEV;
		return;
	default:
		break;
	}
	if ((r->w[0] & DEV_NOWAIT) || d->nwait == MAX_WAIT) {
		a->err = ERR_AGAIN;
		return;
	}
	if ((a->err = srv_save_reply(a, &reply)))
		return;
	d->waiters[d->nwait++] = reply;
}

static void op_list(struct srv_req *r, struct srv_ans *a)
{
	uint8_t *out = srv_out();
	size_t n = 0;
	unsigned count = 0;

	for (uint64_t i = r->w[0]; i < ndevs; i++) {
		const struct device *d = &devs[i];
		char line[128], addr[24], cls[8];
		int len;
		if (d->bus == BUS_MMIO) {
			fmt_snprintf(addr, sizeof(addr), "%#lx", (unsigned long)d->paddr);
			strlcpy(cls, "-", sizeof(cls));
		} else {
			fmt_snprintf(addr, sizeof(addr), "%02x:%02x.%u", d->pbus, d->pdev, d->pfn);
			fmt_snprintf(cls, sizeof(cls), "%06x", d->class);
		}
		len = fmt_snprintf(line, sizeof(line), "%s %s %s %04x:%04x %s %s %s\n",
				   d->drv ? d->name : "-", d->bus == BUS_MMIO ? "virtio-mmio" : "pci", addr,
				   d->vendor, d->device, cls, d->drv ? d->drv->path : "-",
				   state_name(d->drv ? d->state : ST_NONE));
		if (len < 0 || n + (size_t)len > LIST_MAX)
			break;
		memcpy(out + n, line, (size_t)len);
		n += (size_t)len;
		count++;
	}
	a->nbytes = n;
	a->w[0] = count;
	a->w[1] = ndevs;
}

/* From a driver: its badge names its device and the start it belongs to. */
static void op_ready(struct srv_req *r, struct srv_ans *a)
{
	uint64_t idx = r->badge & 0xff, gen = (r->badge >> 8) & 0xffffff;
	struct device *d = idx < ndevs ? &devs[idx] : NULL;

	if (!(r->badge & BADGE_DRIVER) || !d || !d->drv || gen != (d->gen & 0xffffff) || !d->running) {
		a->err = ERR_PERM;
		return;
	}
	if (d->state != ST_UP)
		LOG("%s: up (%s)\n", d->name, d->drv->path);
	d->state = ST_UP;
	d->fails = 0;
	answer_waiters(d, ERR_OK);
}

static void op_restart(struct srv_req *r, struct srv_ans *a)
{
	struct device *d;

	if (r->badge != BADGE_MANAGE) {
		a->err = ERR_PERM;
		return;
	}
	if ((a->err = name_arg(r, &d)))
		return;
	LOG("%s: DEV_RESTART\n", d->name);
	if (d->running) {
		d->restart_asked = true;
		d->state = ST_RESTARTING;
		cairn_invoke(d->child.proc, PROC_KILL, 0, (uint64_t)-1, 0, 0, 0, NULL);
		return;
	}
	/* failed, or waiting to restart: a new series of tries now (a failed
	 * device's behind a new service endpoint) */
	d->restart_at = 0;
	restarts_arm();
	if (d->svc == CAP_NULL && (a->err = svc_new(d)))
		return;
	d->fails = 0;
	d->state = ST_RESTARTING;
	start(d);
}

/* Drivers that have not said DEV_READY in time are stopped (their end
 * comes as an exit event and counts as a failure). */
static void check_ready_timeouts(void)
{
	uint64_t now = cairn_now_ns();

	for (unsigned i = 0; i < ndevs; i++) {
		struct device *d = &devs[i];
		if (!d->running || d->restart_asked || (d->state != ST_STARTING && d->state != ST_RESTARTING) ||
		    now - d->started_ns < ready_timeout_ns)
			continue;
		LOG("%s: no DEV_READY within %lu ms: stopping its driver\n", d->name,
		    (unsigned long)(ready_timeout_ns / 1000000));
		d->started_ns = now;            /* once */
		cairn_invoke(d->child.proc, PROC_KILL, 0, (uint64_t)-1, 0, 0, 0, NULL);
	}
}

static void event(uint64_t bits)
{
	for (unsigned i = 0; i < ndevs; i++)
		if ((bits >> i & 1) && devs[i].running)
			reap(&devs[i]);
	if (bits & TIMER_BIT)
		check_ready_timeouts();
	if (bits & RESTART_BIT)
		restarts_due();
}

/* A periodic Timer on the relay's Notification: the ready timeout is
 * checked a few times per timeout. */
static err_t start_ready_timer(void)
{
	uint64_t period = ready_timeout_ns / 4 < 10000000 ? 10000000 : ready_timeout_ns / 4;
	struct cairn_msg m;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_TIMER, 0, 0, 0, &m)))
		return e;
	return cairn_invoke_cap(m.w[0], TIMER_SET, note, TIMER_BIT, cairn_now_ns() + period, period, 0,
				NULL);
}

static const struct srv_op ops[] = {
	{ DEV_LOOKUP, DEV_LOOKUP, op_lookup },
	{ DEV_LIST, DEV_LIST, op_list },
	{ DEV_READY, DEV_READY, op_ready },
	{ DEV_RESTART, DEV_RESTART, op_restart },
};

/* ---- the manage badge: a thread of its own on `admin` -------------------------------------- */

static struct cairn_ipcbuf *volatile admin_ib;

static void admin_thread(uint64_t admin)
{
	struct cairn_msg m = cairn_recv(admin, 0);

	for (;;) {
		uint32_t label = cairn_tag_label(m.tag);
		unsigned n = 0;
		err_t err = ERR_NOSYS;
		while (!admin_ib)
			cairn_yield();
		for (unsigned i = 0; i < cairn_tag_ncaps(m.tag) && i < CAIRN_MSG_MAX_CAPS; i++)
			cairn_cap_delete(admin_ib->caps[i]);
		if (!m.err && label == DEV_MANAGE) {
			admin_ib->caps[0] = manage_cap;
			n = 1;
			err = ERR_OK;
		}
		m = cairn_reply_recv(admin, cairn_tag((uint32_t)err, CAIRN_MSG_REGS, n), 0, 0, 0, 0);
	}
}

static err_t start_admin(void)
{
	cap_t admin = cairn_cap("admin");
	struct cairn_ipcbuf *ib;
	uint64_t r[3];
	err_t e;

	if (admin == CAP_NULL)
		return ERR_OK;          /* nobody may restart drivers */
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE, BADGE_MANAGE, r)))
		return e;
	manage_cap = r[0];
	for (unsigned prio = DRIVER_PRIO; prio > 0; prio--) {
		e = cairn_thread_start_ipcbuf(admin_thread, admin, prio, NULL, &ib);
		if (e != ERR_PERM)
			break;
	}
	if (!e)
		admin_ib = ib;
	return e;
}

/* ---- start-up --------------------------------------------------------------------------------- */

/* Maps the firmware's tables (kept mapped: the device tree backs the
 * interrupt-map lookups) and reads them. */
static err_t fw_scan(cap_t kinfo)
{
	struct cairn_msg m;
	uint64_t bytes, pages;
	void *va;
	err_t e;

	if ((e = cairn_invoke(kinfo, KINFO_FIRMWARE, 0, 0, 0, 0, 0, &m))) {
		LOG("no firmware tables (KINFO_FIRMWARE: %s)\n", err_name(e));
		return e;
	}
	bytes = m.w[1];
	pages = (bytes + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	if ((e = cairn_map(m.w[0], 0, pages, CAIRN_PROT_R, &va))) {
		LOG("cannot map the firmware tables: %s\n", err_name(e));
		cairn_cap_delete(m.w[0]);
		return e;
	}
	return fw_parse(va, bytes);
}

static err_t map_image(void)
{
	uint64_t pages;
	void *va;
	err_t e;

	if ((bootimage = cairn_cap("bootimage")) == CAP_NULL)
		return ERR_NOENT;
	if ((e = cairn_memobj_pages(bootimage, &pages)) || (e = cairn_map(bootimage, 0, pages, CAIRN_PROT_R, &va)))
		return e;
	image = va;
	image_size = pages * CAIRN_PAGE_SIZE;
	return ERR_OK;
}

int main(int argc, char **argv)
{
	cap_t kinfo = cairn_cap("kinfo");
	struct cairn_msg m;
	err_t e;

	for (int i = 1; i < argc; i++) {
		bool joined = !strncmp(argv[i], "--ready-timeout=", 16);

		if (joined || (!strcmp(argv[i], "--ready-timeout") && i + 1 < argc)) {
			char *end;
			unsigned long ms = strtoul(joined ? argv[i] + 16 : argv[++i], &end, 0);
			if (*end || !ms || ms > 3600000) {
				LOG("bad --ready-timeout %s (1..3600000 ms)\n", argv[i]);
				return 2;
			}
			ready_timeout_ns = ms * 1000000ull;
		} else if (!strcmp(argv[i], "--driver") && i + 1 < argc) {
			if ((e = driver_arg(argv[++i]))) {
				LOG("bad --driver %s: %s\n", argv[i], err_name(e));
				return 2;
			}
		} else {
			LOG("unknown argument %s (--ready-timeout MS, --driver ID=STEM:PATH[:ARG][,...])\n", argv[i]);
			return 2;
		}
	}
	ep = cairn_cap("devmgr");
	console = cairn_cap("console");
	if (ep == CAP_NULL || kinfo == CAP_NULL || console == CAP_NULL || cairn_cap("mmioctl") == CAP_NULL) {
		LOG("needs the capabilities devmgr, kinfo, console, mmioctl (and irqctl, bootimage)\n");
		return 1;
	}
	if ((e = map_image()))
		LOG("no boot image (%s): no drivers\n", err_name(e));
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))) {
		LOG("no Notification: %s\n", err_name(e));
		return 1;
	}
	note = m.w[0];
	cairn_clock_init(kinfo);
	bus_init();
	fw_scan(kinfo);
	LOG("%u device%s found\n", ndevs, ndevs == 1 ? "" : "s");
	if (image)
		start_drivers();

	srv.name = "devmgr";
	srv.ep = ep;
	srv.ops = ops;
	srv.nops = sizeof(ops) / sizeof(ops[0]);
	srv.in_buf = in_buf;
	srv.in_max = sizeof(in_buf);
	srv.event = event;
	/* a driver's end at once (else the highest relay thread allowed) */
	if ((e = srv_bind(&srv, note)))
		for (unsigned prio = DRIVER_PRIO; prio > 0; prio--)
			if ((e = srv_relay(&srv, note, prio)) != ERR_PERM)
				break;
	if (e) {
		LOG("no relay thread: %s\n", err_name(e));
		return 1;
	}
	if ((e = start_admin()))
		LOG("no admin thread (DEV_MANAGE): %s\n", err_name(e));
	if ((e = start_ready_timer()))
		LOG("no timer: drivers that never say DEV_READY are not stopped: %s\n", err_name(e));
	srv_run(&srv);
	return 0;
}
