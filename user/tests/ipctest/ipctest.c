/* SPDX-License-Identifier: MIT */
/*
 * ipctest: the kernel ABI seen from user space, through libcairn's system
 * calls. Two services of user/manifests/ipctest.manifest share an endpoint:
 *
 *   ipctest server   answers the client's calls on "ep" (read right)
 *   ipctest client   runs the tests: one `ok N name` / `not ok N name`
 *                    line each, then `N passed, N failed`; exits with the
 *                    number of failures (so init exits 0 only if all pass)
 *
 * Server methods (labels): 1 echo (words + 1), 2 long message (sum of
 * words 4.., answers with each inverted), 3 badge, 4 signal the
 * Notification sent along, 9 quit; anything else ERR_NOSYS.
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/test.h>

enum { M_ECHO = 1, M_LONG = 2, M_BADGE = 3, M_SIGNAL = 4, M_QUIT = 9 };
#define LONG_LEN  100

/* ---- server ------------------------------------------------------------------------ */
static int server(void)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	cap_t ep = cairn_cap("ep");
	struct cairn_msg m;

	if (ep == CAP_NULL) {
		printf("ipctest server: no capability 'ep'\n");
		return 1;
	}
	m = cairn_recv(ep, 0);
	for (;;) {
		uint64_t tag = cairn_tag(0, CAIRN_MSG_REGS, 0), r[4] = { 0, 0, 0, 0 };
		unsigned len = cairn_tag_len(m.tag);

		if (m.err) {
			printf("ipctest server: receive failed: %s\n", err_name((err_t)m.err));
			return 1;
		}
		switch (cairn_tag_label(m.tag)) {
		case M_ECHO:
			for (int i = 0; i < 4; i++)
				r[i] = m.w[i] + 1;
			break;
		case M_LONG:
			for (unsigned i = CAIRN_MSG_REGS; i < len; i++) {
				r[0] += ib->w[i];
				ib->w[i] = ~ib->w[i];
			}
			r[1] = len;
			tag = cairn_tag(0, len, 0);
			break;
		case M_BADGE:
			r[0] = m.badge;
			break;
		case M_SIGNAL:
			if (cairn_tag_ncaps(m.tag) != 1) {
				tag = cairn_tag(ERR_INVAL, CAIRN_MSG_REGS, 0);
				break;
			}
			r[0] = ib->caps[0];
			tag = cairn_tag((uint32_t)cairn_invoke(ib->caps[0], NOTIFY_SIGNAL, 0, m.w[0], 0, 0, 0,
								NULL), CAIRN_MSG_REGS, 0);
			cairn_cap_delete(r[0]);
			break;
		case M_QUIT:
			cairn_reply(tag, 0, 0, 0, 0);
			return 0;
		default:
			tag = cairn_tag(ERR_NOSYS, CAIRN_MSG_REGS, 0);
			break;
		}
		m = cairn_reply_recv(ep, tag, r[0], r[1], r[2], r[3]);
	}
}

/* ---- client ------------------------------------------------------------------------ */
static cap_t ep, kinfo, console;

static cap_t new_object(unsigned type)
{
	struct cairn_msg m;

	return cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, type, 0, 0, 0, &m) ? CAP_NULL : m.w[0];
}

static void test_calls(void)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;
	uint64_t sum = 0;
	bool ok;

	t_ok(cairn_null() == ERR_OK, "sys.null");
	t_ok(cairn_yield() == ERR_OK, "sys.yield");

	m = cairn_call(ep, cairn_tag(M_ECHO, 4, 0), 10, 20, 30, 40);
	t_ok(!m.err && cairn_tag_label(m.tag) == 0 && m.w[0] == 11 && m.w[1] == 21 && m.w[2] == 31 &&
	      m.w[3] == 41, "ipc.call_reply");

	ok = true;
	for (unsigned i = 0; ok && i < 1000; i++) {
		m = cairn_call(ep, cairn_tag(M_ECHO, 4, 0), i, ~(uint64_t)i, (uint64_t)i << 32, 7);
		ok = !m.err && m.w[0] == i + 1 && m.w[1] == ~(uint64_t)i + 1 && m.w[2] == ((uint64_t)i << 32) + 1;
	}
	t_ok(ok, "ipc.call_reply_1000");

	for (unsigned i = CAIRN_MSG_REGS; i < LONG_LEN; i++) {
		ib->w[i] = (uint64_t)i * 0x10001;
		sum += ib->w[i];
	}
	m = cairn_call(ep, cairn_tag(M_LONG, LONG_LEN, 0), 0, 0, 0, 0);
	ok = !m.err && cairn_tag_label(m.tag) == 0 && m.w[0] == sum && m.w[1] == LONG_LEN &&
	     cairn_tag_len(m.tag) == LONG_LEN;
	for (unsigned i = CAIRN_MSG_REGS; ok && i < LONG_LEN; i++)
		ok = ib->w[i] == ~((uint64_t)i * 0x10001);
	t_ok(ok, "ipc.long_message_both_ways");

	m = cairn_call(ep, cairn_tag(77, 4, 0), 0, 0, 0, 0);
	t_ok(!m.err && cairn_tag_label(m.tag) == ERR_NOSYS, "ipc.server_error_label");
}

static void test_badge(void)
{
	uint64_t r[3];
	struct cairn_msg m;
	err_t e;

	m = cairn_call(ep, cairn_tag(M_BADGE, 4, 0), 0, 0, 0, 0);
	t_ok(!m.err && m.w[0] == 0, "ipc.no_badge");
	e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE, 0x42, r);
	m = cairn_call(e ? ep : r[0], cairn_tag(M_BADGE, 4, 0), 0, 0, 0, 0);
	t_ok(!e && !m.err && m.w[0] == 0x42, "ipc.minted_badge");
	if (!e)
		t_ok(cairn_cap_op(CAP_OP_MINT, r[0], CAP_NULL, RIGHT_WRITE, 0x43, NULL) != ERR_OK,
		      "cap.mint_only_once");
	if (!e)
		cairn_cap_delete(r[0]);
}

static void test_notifications(void)
{
	cap_t nt = new_object(OBJ_NOTIFICATION);
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;
	uint64_t bits = 0, t0, t1;
	err_t e;

	t_ok(nt != CAP_NULL, "proc.create_notification");
	t_ok(cairn_wait(nt, 0, &bits) == ERR_AGAIN, "notify.poll_empty");
	e = cairn_invoke(nt, NOTIFY_SIGNAL, 0, 3, 0, 0, 0, NULL);
	t_ok(!e && !cairn_wait(nt, CAIRN_FOREVER, &bits) && bits == 3, "notify.signal_then_wait");
	t0 = now_ns();
	e = cairn_wait(nt, 20000000, &bits);
	t1 = now_ns();
	t_ok(e == ERR_TIMEDOUT && t0 && t1 - t0 >= 20000000, "notify.timeout_20ms");

	/* a capability travels with a call: the server signals it */
	ib->caps[0] = nt;
	m = cairn_call(ep, cairn_tag(M_SIGNAL, 4, 1), 0x10, 0, 0, 0);
	t_ok(!m.err && cairn_tag_label(m.tag) == 0 && !cairn_wait(nt, 0, &bits) && bits == 0x10,
	      "ipc.cap_transfer");
	cairn_cap_delete(nt);
}

static void test_caps(void)
{
	uint64_t r[3];
	cap_t c = CAP_NULL;
	struct cairn_msg m;

	t_ok(!cairn_cap_op(CAP_OP_IDENTIFY, console, CAP_NULL, 0, 0, r) && r[0] == OBJ_DEBUG_CONSOLE &&
	      r[1] == RIGHT_WRITE, "cap.identify_console_write_only");
	t_ok(!cairn_cap_op(CAP_OP_IDENTIFY, ep, CAP_NULL, 0, 0, r) && r[0] == OBJ_ENDPOINT &&
	      r[1] == (RIGHT_WRITE | RIGHT_GRANT), "cap.identify_endpoint_as_manifest_says");
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	t_ok(m.err == ERR_PERM || m.err == ERR_ACCES, "cap.no_receive_without_read_right");
	t_ok(!cairn_cap_copy(ep, RIGHTS_ALL, &c) && !cairn_cap_op(CAP_OP_IDENTIFY, c, CAP_NULL, 0, 0, r) &&
	      r[1] == (RIGHT_WRITE | RIGHT_GRANT), "cap.copy_never_adds_rights");
	t_ok(!cairn_cap_delete(c) && cairn_cap_op(CAP_OP_IDENTIFY, c, CAP_NULL, 0, 0, r) != ERR_OK,
	      "cap.deleted_slot_is_empty");
	t_ok(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, 999, 0, 0, 0, NULL) == ERR_INVAL,
	      "proc.create_bad_type");
	t_ok(cairn_invoke(console, PROC_STATUS, 0, 0, 0, 0, 0, NULL) != ERR_OK,
	      "cap.wrong_method_for_object");
}

static void test_memory(void)
{
	unsigned char *p = malloc(300000);
	volatile uint64_t *a, *b;
	cap_t mo;
	bool ok = p != NULL;

	if (ok) {
		memset(p, 0x5a, 300000);
		ok = p[0] == 0x5a && p[299999] == 0x5a;
		free(p);
	}
	t_ok(ok, "mem.heap_300k");

	/* the quota is the manifest's (2 MiB): the heap cannot go past it */
	struct cairn_msg m;
	t_ok(!cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &m) && m.w[0] == 2u << 20 &&
	      m.w[1] > 0 && m.w[1] < m.w[0], "proc.quota_as_manifest_says");
	t_ok(malloc(4u << 20) == NULL, "mem.heap_stops_at_quota");
	p = malloc(100000);
	t_ok(p != NULL, "mem.heap_works_after_refusal");
	free(p);

	ok = !cairn_memobj_create(SLOT_SELF_PROC, 2, 0, &mo) &&
	     !cairn_map(mo, 0, 2, CAIRN_PROT_R | CAIRN_PROT_W, (void **)&a) &&
	     !cairn_map(mo, 1, 1, CAIRN_PROT_R, (void **)&b);
	if (ok) {
		a[512] = 0x1234567887654321ull;      /* first word of page 1 */
		ok = b[0] == 0x1234567887654321ull && a[0] == 0;
		ok = !cairn_unmap((void *)a, 2) && !cairn_unmap((void *)b, 1) && ok;
	}
	t_ok(ok, "mem.one_object_two_mappings");
	cairn_cap_delete(mo);

	uint64_t t0 = now_ns(), t1 = now_ns();
	t_ok(t0 && t1 >= t0, "kinfo.time_monotonic");
}

static int client(void)
{
	ep = cairn_cap("ep");
	kinfo = cairn_cap("kinfo");
	console = cairn_cap("console");
	if (ep == CAP_NULL || kinfo == CAP_NULL) {
		return t_abort("ipctest client: needs capabilities 'ep' and 'kinfo'");
	}
	test_calls();
	test_badge();
	test_notifications();
	test_caps();
	test_memory();
	t_ok(cairn_invoke(ep, M_QUIT, 0, 0, 0, 0, 0, NULL) == ERR_OK, "ipc.server_quits");
	return (int)t_end(NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "server"))
		return server();
	if (argc > 1 && !strcmp(argv[1], "client"))
		return client();
	printf("usage: ipctest server|client\n");
	return 2;
}
