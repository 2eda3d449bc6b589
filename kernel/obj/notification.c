// SPDX-License-Identifier: MIT
/*
 * Notification methods: signal (write right) and poll (read right). A
 * SYS_SEND on a Notification signals without coming here, and SYS_WAIT
 * waits on one (kernel/syscall.c); the Notification itself is
 * kernel/ipc.c.
 */
#include <kernel/method.h>

#define NOTE(iv) ((struct notification *)(iv)->obj)

static void notification_invoke_signal(struct invocation *iv)
{
	notify_signal(NOTE(iv), iv->in->w[0]);
}

/* ERR_AGAIN: no bits are set. */
static err_t notification_decode_poll(struct invocation *iv)
{
	return NOTE(iv)->bits ? ERR_OK : ERR_AGAIN;
}

/* Takes the bits and clears them (a poll never blocks). */
static void notification_invoke_poll(struct invocation *iv)
{
	(void)notify_wait(NOTE(iv), 0, &iv->out->w[0]);
}

#define METHODS_FIRST NOTIFY_SIGNAL
static const struct method methods[] = {
	METHOD(NOTIFY_SIGNAL, RIGHT_WRITE, 0, NULL, notification_invoke_signal),
	METHOD(NOTIFY_POLL, RIGHT_READ, 0, notification_decode_poll, notification_invoke_poll),
};

METHOD_TABLE(notification_methods, methods, NULL);
