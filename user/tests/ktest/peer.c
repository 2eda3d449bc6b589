/* SPDX-License-Identifier: MIT */
/*
 * The other side of ktest's IPC and process tests: serve(), a small
 * server run by a thread of ktest or by a peer process, and the peer
 * process itself (ktest started again with argv = { name, "peer", mode }).
 *
 * Peer modes (capabilities by name from the start-up block):
 *   server       serve(ep) until SRV_QUIT or SRV_DIE, then exit 0
 *   block-recv   signal ready, then receive on ep forever
 *   recv-spin    signal ready, receive one call on ep and loop without answering
 *   block-call   signal ready, then call ep forever
 *   block-wait   signal ready, then wait on note forever
 *   fault        wait for go, write KT_FAULT_VA, read it back: exit 0 if
 *                the value stayed (a fault handler mapped memory there)
 *   fault-call   as fault, then call ep with SRV_ECHO and exit 0 if the
 *                answer is right (the fault was answered by dropping it)
 *   crash        read KT_BAD_VA (no fault handler: the kernel kills us)
 *   exec         jump to KT_BAD_VA
 *   spin         signal ready, then loop forever
 *   pg-read      map the paged object mo (8 pages), signal ready, read page 5:
 *                exit 0 if it holds PG_PATTERN(5)
 *   pg-rw        map mo, read pages 0..7 (exit 3 unless each holds its
 *                pattern), write word 1 of pages 2 and 6 (0xd00d2, 0xd00d6)
 *   remap-read   wait for go, then read KT_FAULT_VA and call ep with it
 *                until the answer's w0 is 0 (tlb.remap_while_away)
 *   yield-read   call ep, then read KT_FAULT_VA between yields and call
 *                ep with it (tlb.many_spaces)
 */
#include "ktest.h"

static cap_t self_note(void)
{
	return mk(OBJ_NOTIFICATION);
}

int serve(cap_t ep, struct cairn_ipcbuf *ib)
{
	uint64_t sends = 0, last = 0;
	struct cairn_msg m = cairn_recv(ep, 0);

	for (;;) {
		uint64_t tag = cairn_tag(0, CAIRN_MSG_REGS, 0), w[4] = { 0, 0, 0, 0 };
		unsigned len = cairn_tag_len(m.tag), ncaps = cairn_tag_ncaps(m.tag);

		if (m.err)
			return 2;
		switch (cairn_tag_label(m.tag)) {
		case SRV_ECHO:
			w[0] = m.w[0] + 1;
			w[1] = m.w[1] + 2;
			w[2] = m.w[2] + 3;
			w[3] = m.w[3] + 4;
			break;
		case SRV_LONG:
			for (unsigned i = 0; i < 4; i++)
				w[i] = ~m.w[i];
			for (unsigned i = CAIRN_MSG_REGS; i < len; i++)
				ib->w[i] = ~ib->w[i];
			tag = cairn_tag(0, len, 0);
			break;
		case SRV_CAPSIG: {
			uint64_t type = 0, rights = 0;
			w[0] = ncaps;
			if (ncaps && cap_ident(ib->caps[0], &type, &rights, NULL) == ERR_OK) {
				cairn_send(ib->caps[0], 0, m.w[0], 0, 0, 0);
				cairn_cap_delete(ib->caps[0]);
			}
			w[1] = type;
			w[2] = rights;
			break;
		}
		case SRV_BADGE:
			cairn_reply(tag, m.badge, 0, 0, 0);
			m = cairn_recv(ep, 0);
			continue;
		case SRV_GIVECAP: {
			cap_t n = mk(OBJ_NOTIFICATION);
			if (n == CAP_NULL)
				break;
			cairn_send(n, 0, m.w[0], 0, 0, 0);
			ib->caps[0] = n;
			cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 1), 0, 0, 0, 0);
			cairn_cap_delete(n);
			m = cairn_recv(ep, 0);
			continue;
		}
		case SRV_DIE:
			return 1;
		case SRV_DROP:
			m = cairn_recv(ep, 0);
			continue;
		case SRV_SEND:
			sends++;
			last = m.w[0];
			m = cairn_recv(ep, 0);
			continue;
		case SRV_STAT:
			w[0] = sends;
			w[1] = last;
			break;
		case SRV_QUIT:
			cairn_reply(tag, 0, 0, 0, 0);
			return 0;
		default:
			tag = cairn_tag(ERR_NOSYS, CAIRN_MSG_REGS, 0);
			break;
		}
		m = cairn_reply_recv(ep, tag, w[0], w[1], w[2], w[3]);
	}
}

/* fault.resume_elsewhere (t_proc.c): where the handler's
 * CAIRN_FAULT_RESUME sends the faulting peer; it ends with 42. */
void peer_resumed(void)
{
	for (;;)
		cairn_exit(42);
}

static int peer_fault(bool then_call)
{
	volatile uint64_t *p = (volatile uint64_t *)KT_FAULT_VA;

	wait_bits(cairn_cap("go"), 5000);
	*p = 0x1234abcd;                    /* faults: the handler maps memory here */
	if (*p != 0x1234abcd)
		return 2;
	if (then_call) {
		struct cairn_msg m = cairn_call(cairn_cap("ep"), cairn_tag(SRV_ECHO, 4, 0), 10, 20, 30, 40);
		if (m.err)
			return 3;
		if (cairn_tag_label(m.tag) != 0)
			return 4;
		if (m.w[0] != 11 || m.w[1] != 22 || m.w[2] != 33 || m.w[3] != 44)
			return 5;
	}
	return 0;
}

/* tlb.remap_while_away (t_proc.c): reads the word at KT_FAULT_VA and
 * reports it in a call on ep, during which ktest maps another object
 * there, until an answer says stop (w0 = 0). */
static int peer_remap_read(void)
{
	wait_bits(cairn_cap("go"), 5000);
	for (;;) {
		uint64_t v = *(volatile uint64_t *)KT_FAULT_VA;
		struct cairn_msg m = cairn_call(cairn_cap("ep"), cairn_tag(SRV_ECHO, 1, 0), v, 0, 0, 0);
		if (m.err)
			return 3;
		if (!m.w[0])
			return 0;
	}
}

/* tlb.many_spaces: once a first call on ep is answered (the word is
 * mapped then), reads the word at KT_FAULT_VA again and again, giving the
 * CPU to the other peers (each in its own space) between reads; a read
 * that differs from the first ends with 4, else the word goes to ep. */
static int peer_yield_read(void)
{
	volatile uint64_t *p = (volatile uint64_t *)KT_FAULT_VA;
	uint64_t first;

	if (cairn_call(cairn_cap("ep"), cairn_tag(SRV_ECHO, 1, 0), 0, 0, 0, 0).err)
		return 3;
	first = *p;
	for (unsigned i = 0; i < 100; i++) {
		cairn_yield();
		if (*p != first)
			return 4;
	}
	return cairn_call(cairn_cap("ep"), cairn_tag(SRV_STAT, 1, 0), first, 0, 0, 0).err ? 3 : 0;
}

/* The client of a paged object (t_pager.c). */
static int peer_paged(bool rw)
{
	volatile uint64_t *p;
	void *va;

	if (cairn_map(cairn_cap("mo"), 0, 8, CAIRN_PROT_R | CAIRN_PROT_W, &va))
		return 2;
	p = va;
	if (!rw)
		return p[5 * 512] == PG_PATTERN(5) ? 0 : 3;
	for (unsigned i = 0; i < 8; i++)
		if (p[i * 512] != PG_PATTERN(i))
			return 3;
	p[2 * 512 + 1] = 0xd00d2;
	p[6 * 512 + 1] = 0xd00d6;
	return 0;
}

int peer_main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	cap_t ep = cairn_cap("ep"), note = cairn_cap("note"), ready = cairn_cap("ready");

	k_kinfo = cairn_cap("kinfo");
	k_sleep = self_note();
	if (!strcmp(mode, "server"))
		return serve(ep, cairn_ipcbuf()) == 2 ? 2 : 0;
	if (ready != CAP_NULL)
		cairn_send(ready, 0, 1, 0, 0, 0);
	if (!strcmp(mode, "block-recv")) {
		cairn_recv(ep, 0);
		return 10;
	}
	if (!strcmp(mode, "recv-spin")) {
		cairn_recv(ep, 0);
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	if (!strcmp(mode, "block-call")) {
		cairn_call(ep, cairn_tag(SRV_ECHO, 4, 0), 0, 0, 0, 0);
		return 10;
	}
	if (!strcmp(mode, "block-wait")) {
		cairn_wait(note, CAIRN_FOREVER, NULL);
		return 10;
	}
	if (!strcmp(mode, "fault"))
		return peer_fault(false);
	if (!strcmp(mode, "fault-call"))
		return peer_fault(true);
	if (!strcmp(mode, "crash"))
		return (int)*(volatile uint64_t *)KT_BAD_VA;
	if (!strcmp(mode, "exec")) {
		((void (*)(void))KT_BAD_VA)();
		return 10;
	}
	if (!strcmp(mode, "outb")) {          /* ioport.direct_access_faults */
		test_port_outb(TEST_UART_PORT + 7, 0x77);
		return 10;
	}
	if (!strcmp(mode, "remap-read"))
		return peer_remap_read();
	if (!strcmp(mode, "yield-read"))
		return peer_yield_read();
	if (!strcmp(mode, "pg-read"))
		return peer_paged(false);
	if (!strcmp(mode, "pg-rw"))
		return peer_paged(true);
	if (!strcmp(mode, "spin"))
		for (;;)
			__asm__ volatile("" ::: "memory");
	printf("ktest-peer: unknown mode '%s'\n", mode);
	return 99;
}
