// SPDX-License-Identifier: MIT
/*
 * IoPortControl and IoPort: port I/O for user-level drivers (x86-64).
 * IoPortControl (a boot-time root, manage right, given to init only where
 * the arch has a port space, ARCH_IO_PORTS) hands out IoPorts: a range of
 * ports [base, base + count), never one the kernel uses itself (the
 * ranges its drivers reserve below). An IoPort does one access per
 * method through the arch (arch_port_in, arch_port_out): the process
 * never gets the CPU's I/O permission (no IOPL, no TSS bitmap), so every
 * access is checked against the range.
 *
 * IoPorts may overlap, as MmioRegions may: an IoPort holds no claim on
 * its ports, and whoever holds IoPortControl (init, then the device
 * manager) decides who gets which. An IoPort has nothing to tear down.
 */
#include <kernel/method.h>
#include <kernel/ioport.h>
#include <kernel/log.h>

struct ioport {
	struct kobj obj;
	unsigned base, count;
};

#define PORTS(iv) ((struct ioport *)(iv)->obj)

/* ---- the kernel's own ports ------------------------------------------------------------ */

static struct { unsigned base, end; const char *name; } kernel_ports[IOPORT_KERNEL_MAX];
static unsigned n_kernel_ports;

void ioport_reserve(unsigned base, unsigned count, const char *name)
{
	if (n_kernel_ports == IOPORT_KERNEL_MAX) {
		pr_warn("ioport: no room to reserve %s (%#x, %u ports)\n", name, base, count);
		return;
	}
	kernel_ports[n_kernel_ports].base = base;
	kernel_ports[n_kernel_ports].end = base + count;
	kernel_ports[n_kernel_ports++].name = name;
}

void ioport_release(unsigned base)
{
	for (unsigned i = 0; i < n_kernel_ports; i++)
		if (kernel_ports[i].base == base)
			kernel_ports[i--] = kernel_ports[--n_kernel_ports];
}

bool ioport_is_kernel(unsigned base, unsigned count)
{
	for (unsigned i = 0; i < n_kernel_ports; i++)
		if (base < kernel_ports[i].end && kernel_ports[i].base < base + count)
			return true;
	return false;
}

/* ---- IoPortControl: IOPORTCTL_GET (base, count) -> (slot) ------------------------------ */

struct ioportctl_get_args {
	struct cap *slot;
	struct ioport *io;
};

/* ERR_INVAL: empty, or past the last port; ERR_BUSY: the kernel's. */
static err_t ioportctl_decode_get(struct invocation *iv)
{
	struct ioportctl_get_args *a = METHOD_ARGS(struct ioportctl_get_args, iv);
	struct process *self = current->proc;
	uint64_t base = iv->in->w[0], count = iv->in->w[1];
	err_t e;

	if (!count || count > ARCH_IO_PORTS || base > ARCH_IO_PORTS - count)
		return ERR_INVAL;
	if (ioport_is_kernel((unsigned)base, (unsigned)count))
		return ERR_BUSY;
	if ((e = cap_reserve(self, CAP_NULL, &a->slot)))
		return e;
	a->io = kobj_alloc(OBJ_IOPORT, sizeof(*a->io), self->quota);
	return a->io ? ERR_OK : ERR_NOMEM;
}

static void ioportctl_invoke_get(struct invocation *iv)
{
	struct ioportctl_get_args *a = METHOD_ARGS(struct ioportctl_get_args, iv);

	a->io->base = (unsigned)iv->in->w[0];
	a->io->count = (unsigned)iv->in->w[1];
	cap_install(a->slot, &a->io->obj, RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT | RIGHT_MANAGE, 0);
	kobj_put(&a->io->obj);
	iv->out->w[0] = cap_slot_of(a->slot);
}

/* ---- IoPort: IOPORT_IN, IOPORT_OUT, IOPORT_WRITE, IOPORT_INFO -------------------------- */

/* An access of width bytes at offset lies in the range and is aligned. */
static err_t ioport_check(const struct ioport *io, uint64_t offset, uint64_t width)
{
	if (width != 1 && width != 2 && width != 4)
		return ERR_INVAL;
	if (width > io->count || offset > io->count - width || (io->base + offset) % width)
		return ERR_INVAL;
	return ERR_OK;
}

static err_t ioport_decode_in(struct invocation *iv)
{
	return ioport_check(PORTS(iv), iv->in->w[0], iv->in->w[1]);
}

static void ioport_invoke_in(struct invocation *iv)
{
	struct ioport *io = PORTS(iv);

	iv->out->w[0] = arch_port_in((uint16_t)(io->base + iv->in->w[0]), (unsigned)iv->in->w[1]);
}

static err_t ioport_decode_out(struct invocation *iv)
{
	return ioport_check(PORTS(iv), iv->in->w[0], iv->in->w[1]);
}

static void ioport_invoke_out(struct invocation *iv)
{
	struct ioport *io = PORTS(iv);

	arch_port_out((uint16_t)(io->base + iv->in->w[0]), (unsigned)iv->in->w[1],
		      (uint32_t)iv->in->w[2]);
}

/* The n bytes must be in the message (the IPC buffer's w[4..]). */
static err_t ioport_decode_write(struct invocation *iv)
{
	unsigned len = cairn_tag_len(iv->in->tag);
	uint64_t n = iv->in->w[1];
	err_t e;

	if ((e = ioport_check(PORTS(iv), iv->in->w[0], 1)))
		return e;
	if (n && (!current->ipcbuf || len < CAIRN_MSG_REGS || n > (len - CAIRN_MSG_REGS) * 8ull))
		return ERR_INVAL;
	return ERR_OK;
}

static void ioport_invoke_write(struct invocation *iv)
{
	struct ioport *io = PORTS(iv);
	uint16_t port = (uint16_t)(io->base + iv->in->w[0]);
	const uint8_t *p = (const uint8_t *)&current->ipcbuf->w[CAIRN_MSG_REGS];

	for (uint64_t i = 0; i < iv->in->w[1]; i++)
		arch_port_out(port, 1, p[i]);
}

static void ioport_invoke_info(struct invocation *iv)
{
	iv->out->w[0] = PORTS(iv)->base;
	iv->out->w[1] = PORTS(iv)->count;
}

#define METHODS_FIRST IOPORTCTL_GET
static const struct method ioportctl_list[] = {
	METHOD(IOPORTCTL_GET, RIGHT_MANAGE, 0, ioportctl_decode_get, ioportctl_invoke_get),
};

METHOD_TABLE(ioportctl_methods, ioportctl_list, NULL);
#undef METHODS_FIRST

#define METHODS_FIRST IOPORT_IN
static const struct method ioport_list[] = {
	METHOD(IOPORT_IN, RIGHT_READ, 0, ioport_decode_in, ioport_invoke_in),
	METHOD(IOPORT_OUT, RIGHT_WRITE, 0, ioport_decode_out, ioport_invoke_out),
	METHOD(IOPORT_WRITE, RIGHT_WRITE, 0, ioport_decode_write, ioport_invoke_write),
	METHOD(IOPORT_INFO, 0, 0, NULL, ioport_invoke_info),
};

METHOD_TABLE(ioport_methods, ioport_list, NULL);
