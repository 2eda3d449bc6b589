/* SPDX-License-Identifier: MIT */
/*
 * virtio_rng: the virtio entropy driver. Serves the random-bytes protocol
 * of include/cairn/dev.h (RNG_READ, RNG_INFO) on its `svc` Endpoint for a
 * virtio-rng device on any transport of the virtio library
 * (drivers/virtio/), started with the capabilities and arguments of
 * dev.h. Without --mmio or --pci the program runs its self-test instead
 * (selftest.c).
 *
 * Each RNG_READ becomes one device-writable buffer of the `dma` memory
 * on queue 0 and a saved Reply; when the device returns the buffer, the
 * bytes go inline in the answer. At most NREQ reads wait at once (the
 * next is ERR_AGAIN). A caller that died meanwhile is simply not
 * answered.
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/dev.h>
#include <cairn/server.h>
#include "virtq.h"
#include "vdrv.h"

#define QSIZE    16u
#define NREQ     16u
#define IRQ_BIT  1ull

int rng_selftest(int argc, char **argv);

struct rng_req {
	bool busy;
	cap_t reply;
	uint32_t want;
	uint8_t *buf;
	uint64_t pa;
};

static struct vdrv v;
static struct virtq vq;
static struct rng_req reqs[NREQ];
static unsigned bad_used;

static void do_read(struct srv_req *r, struct srv_ans *a)
{
	struct rng_req *q = NULL;
	struct virtq_buf b;
	uint64_t n = r->w[0];

	if (n == 0 || n > RNG_READ_MAX) {
		a->err = ERR_INVAL;
		return;
	}
	for (unsigned i = 0; i < NREQ; i++)
		if (!reqs[i].busy) {
			q = &reqs[i];
			break;
		}
	if (!q) {
		a->err = ERR_AGAIN;
		return;
	}
	b = (struct virtq_buf){ q->pa, (uint32_t)n, true };
	if ((a->err = virtq_add(&vq, &b, 1, q)))
		return;
	if ((a->err = srv_save_reply(a, &q->reply))) {
		a->deferred = false;            /* the buffer comes back to a free slot */
		q->reply = CAP_NULL;
	}
	q->busy = true;
	q->want = (uint32_t)n;
	if (virtq_kick_needed(&vq))
		virtio_notify(&v.dev, 0);
}

static void handle(struct srv_req *r, struct srv_ans *a)
{
	if (r->badge) {
		a->err = ERR_BADF;
		return;
	}
	if (r->label == RNG_INFO)
		a->w[0] = RNG_HW;
	else
		do_read(r, a);
}

/* The device's used buffers: each one answers its reader. */
static void reap(void)
{
	void *cookie;
	uint32_t len;
	int r;

	while ((r = virtq_get(&vq, &cookie, &len)) != 0) {
		struct rng_req *q = cookie;

		if (r < 0) {
			if (bad_used++ < 4)
				printf("%s: the device returned a bad used element (dropped)\n", v.name);
			continue;
		}
		if (len > q->want)
			len = q->want;           /* never more than asked, whatever the device says */
		if (q->reply != CAP_NULL) {
			if (len == 0)
				srv_answer_saved(q->reply, ERR_IO, 0, 0, 0, 0, 0);
			else {
				memcpy(srv_out(), q->buf, len);
				srv_answer_saved(q->reply, ERR_OK, len, len, 0, 0, 0);
			}
		}
		q->reply = CAP_NULL;
		q->busy = false;
	}
}

static void event(uint64_t bits)
{
	if (bits & IRQ_BIT) {
		virtio_isr(&v.dev);
		reap();
		vdrv_irq_ack(&v);
	}
}

static const struct srv_op ops[] = {
	{ RNG_READ, RNG_INFO, handle },
};

static struct srv srv = {
	.ops = ops,
	.nops = sizeof(ops) / sizeof(ops[0]),
	.event = event,
};

static err_t setup_device(void)
{
	unsigned num = QSIZE;
	uint64_t pa;
	void *ring;
	err_t e;

	if ((e = virtio_negotiate(&v.dev, 0)))
		return e;
	if (!(ring = vdrv_dma_alloc(&v, VIRTQ_BYTES(QSIZE), VIRTQ_ALIGN, &pa)))
		return ERR_NOMEM;
	if ((e = virtio_queue_setup(&v.dev, 0, &num, pa)) || (e = virtq_init(&vq, num, ring)))
		return e;
	for (unsigned i = 0; i < NREQ; i++) {
		reqs[i].reply = CAP_NULL;
		if (!(reqs[i].buf = vdrv_dma_alloc(&v, RNG_READ_MAX, 64, &reqs[i].pa)))
			return ERR_NOMEM;
	}
	return virtio_driver_ok(&v.dev);
}

int main(int argc, char **argv)
{
	bool driver = false;
	struct cairn_msg m;
	err_t e;

	for (int i = 1; i < argc; i++)
		driver |= !strcmp(argv[i], "--mmio") || !strcmp(argv[i], "--pci");
	if (!driver)
		return rng_selftest(argc, argv);
	if ((e = vdrv_open(&v, argc, argv, VIRTIO_ID_ENTROPY, 3))) {
		printf("%s: no virtio entropy device (needs --mmio PADDR and regs, or --pci BB:DD.F, "
		       "cfg and barN; irq): %s\n", argv[0], err_name(e));
		return 1;
	}
	srv.name = v.name;
	if (v.svc == CAP_NULL) {
		printf("%s: no capability 'svc' (the endpoint to serve)\n", v.name);
		return 1;
	}
	if ((e = setup_device())) {
		printf("%s: %s: the device did not start: %s\n", v.name, virtio_describe(&v.dev), err_name(e));
		virtio_reset(&v.dev);
		return 1;
	}
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return 1;
	srv.ep = v.svc;
	if ((e = srv_relay(&srv, m.w[0], 8)) || (e = vdrv_irq_bind(&v, m.w[0], IRQ_BIT))) {
		printf("%s: cannot serve (relay, irq): %s\n", v.name, err_name(e));
		return 1;
	}
	printf("%s: %s, queue of %u\n", v.name, virtio_describe(&v.dev), vq.num);
	if ((e = vdrv_ready(&v)))
		printf("%s: DEV_READY: %s\n", v.name, err_name(e));
	srv_run(&srv);
	virtio_reset(&v.dev);
	return 1;
}
