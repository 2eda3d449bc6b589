// SPDX-License-Identifier: MIT
/*
 * DebugConsole, a boot-time root: writes to the kernel console and
 * prints the thread dump there (write right), relays what the console
 * received (read right: DEBUG_READ and a Notification when bytes
 * arrive), and gives the console UART to a user-level driver (manage
 * right). The console itself is
 * kernel/console.c.
 */
#include <kernel/method.h>
#include <kernel/console.h>
#include <kernel/kdump.h>

/* The bytes of a message past its register words (w[4..] in the IPC buffer). */
#define MSG_BYTES_MAX ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8ull)

static struct notification *input_note;
static uint64_t input_bits;

static void input_arrived(void)
{
	if (input_note)
		notify_signal(input_note, input_bits);
}

/* ---- DEBUG_WRITE (len), the bytes in w[4..] ----------------------------------------- */

static err_t debugcons_decode_write(struct invocation *iv)
{
	unsigned len = cairn_tag_len(iv->in->tag);

	if (!current->ipcbuf || len < CAIRN_MSG_REGS || iv->in->w[0] > (len - CAIRN_MSG_REGS) * 8ull)
		return ERR_INVAL;
	return ERR_OK;
}

static void debugcons_invoke_write(struct invocation *iv)
{
	console_write((const char *)&current->ipcbuf->w[CAIRN_MSG_REGS], iv->in->w[0]);
	iv->out->w[0] = iv->in->w[0];           /* the bytes written */
}

/* ---- DEBUG_READ (max) -> (n), the bytes in w[4..]; DEBUG_BIND_INPUT -------------------- */

static err_t debugcons_decode_read(struct invocation *iv)
{
	return !current->ipcbuf || iv->in->w[0] > MSG_BYTES_MAX ? ERR_INVAL : ERR_OK;
}

static void debugcons_invoke_read(struct invocation *iv)
{
	char *dst = (char *)&current->ipcbuf->w[CAIRN_MSG_REGS];
	uint64_t n = 0;
	int ch;

	while (n < iv->in->w[0] && (ch = console_getc()) >= 0)
		dst[n++] = (char)ch;
	iv->out->w[0] = n;
	iv->out->tag = cairn_tag(0, CAIRN_MSG_REGS + (unsigned)((n + 7) / 8), 0);
}

struct debugcons_bind_args {
	struct notification *n;
};

static err_t debugcons_decode_bind_input(struct invocation *iv)
{
	struct debugcons_bind_args *a = METHOD_ARGS(struct debugcons_bind_args, iv);

	return method_notification(iv, &a->n);
}

static void debugcons_invoke_bind_input(struct invocation *iv)
{
	struct debugcons_bind_args *a = METHOD_ARGS(struct debugcons_bind_args, iv);

	if (input_note)
		kobj_put(&input_note->obj);
	kobj_get(&a->n->obj);
	input_note = a->n;
	input_bits = iv->in->w[0];
	console_input_hook = input_arrived;
}

/* ---- DEBUG_DUMP: the thread dump, on the way back to user mode ---------------------- */

static void debugcons_invoke_dump(struct invocation *iv)
{
	(void)iv;
	kdump_request();
}

/* ---- DEBUG_RELEASE_DEVICE -> (base, size, irq, reg_shift | reg_width << 8 | space << 16) */

/* An act: the console driver decides whether it can let go (ERR_BUSY: it
 * did already; ERR_NOSYS: a driver that cannot) and lets go in the same
 * step. */
static err_t debugcons_act_release(struct invocation *iv)
{
	struct console_device dev;
	err_t e;

	if ((e = console_release(&dev)))
		return e;
	iv->out->w[0] = dev.base;
	iv->out->w[1] = dev.size;
	iv->out->w[2] = dev.irq;
	iv->out->w[3] = dev.reg_shift | dev.reg_width << 8 |
			(uint64_t)(dev.port ? DEBUG_DEV_PORT : DEBUG_DEV_MMIO) << 16;
	return ERR_OK;
}

#define METHODS_FIRST DEBUG_WRITE
static const struct method methods[] = {
	METHOD(DEBUG_WRITE, RIGHT_WRITE, 0, debugcons_decode_write, debugcons_invoke_write),
	METHOD(DEBUG_READ, RIGHT_READ, 0, debugcons_decode_read, debugcons_invoke_read),
	METHOD(DEBUG_BIND_INPUT, RIGHT_READ, 0, debugcons_decode_bind_input, debugcons_invoke_bind_input),
	METHOD_ACT(DEBUG_RELEASE_DEVICE, RIGHT_MANAGE, 0, NULL, debugcons_act_release),
	METHOD(DEBUG_DUMP, RIGHT_WRITE, 0, NULL, debugcons_invoke_dump),
};

METHOD_TABLE(debugcons_methods, methods, NULL);
