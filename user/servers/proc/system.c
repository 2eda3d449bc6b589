/* SPDX-License-Identifier: MIT */
/*
 * The system's own requests (include/cairn/posix.h, PS_REBOOT..PS_SETUID):
 * the host and domain names uname reports, the real-time clock, power,
 * and the users a process runs as. What changes the whole system needs
 * uid 0: the caller's effective uid.
 *
 * - The names live here, for every process: this server is the system's
 *   one process server, and lives as long as the POSIX world.
 * - The clock is the kernel's: KINFO_SET_REALTIME on the capability the
 *   manifest names "clock" (KernelInfo, manage right); every clock reader
 *   follows through the kernel's clock page.
 * - reboot: every process is killed and the server exits 0 (server_exit),
 *   so init, for which the server's status is its own (`exitstatus`),
 *   powers the machine off.
 */
#include <string.h>
#include "proc.h"

cap_t clock_cap = CAP_NULL;

static struct posix_uts names = { "cairn", "(none)" };

static bool root(const struct proc *c)
{
	return c->euid == 0;
}

err_t ps_reboot(struct proc *c, const uint64_t w[4])
{
	uint64_t m2 = w[1];

	if (!root(c))
		return ERR_PERM;
	if (w[0] != POSIX_REBOOT_MAGIC1 || (m2 != POSIX_REBOOT_MAGIC2 && m2 != POSIX_REBOOT_MAGIC2A &&
					    m2 != POSIX_REBOOT_MAGIC2B && m2 != POSIX_REBOOT_MAGIC2C))
		return ERR_INVAL;
	switch (w[2]) {
	case POSIX_REBOOT_CAD_ON:
	case POSIX_REBOOT_CAD_OFF:
		return ERR_OK;
	case POSIX_REBOOT_POWER_OFF:
	case POSIX_REBOOT_HALT:
	case POSIX_REBOOT_RESTART:
		say("pid %d (%s): %s\n", c->pid, c->name,
		    w[2] == POSIX_REBOOT_POWER_OFF ? "power off" :
		    w[2] == POSIX_REBOOT_HALT ? "halt" : "restart (as a power off)");
		server_exit(0, "powering off");
	default:
		return ERR_INVAL;
	}
}

err_t ps_setname(struct proc *c, const uint64_t w[4], const char *data, size_t nbytes)
{
	char *dst;

	if (!root(c))
		return ERR_PERM;
	if (w[0] > 1 || w[1] > POSIX_UTS_LEN || w[1] > nbytes)
		return ERR_INVAL;
	dst = w[0] ? names.domainname : names.nodename;
	memset(dst, 0, POSIX_UTS_LEN + 1);
	memcpy(dst, data, w[1]);
	return ERR_OK;
}

size_t ps_uname(void *out)
{
	memcpy(out, &names, sizeof(names));
	return sizeof(names);
}

err_t ps_settime(struct proc *c, uint64_t ns)
{
	struct cairn_msg m;
	uint64_t old;
	err_t e;

	if (!root(c) || clock_cap == CAP_NULL)
		return ERR_PERM;
	if (ns >> 63)
		return ERR_INVAL;
	old = cairn_realtime_offset();
	if ((e = cairn_invoke(clock_cap, KINFO_SET_REALTIME, 0, ns, 0, 0, 0, &m)))
		return e == ERR_INVAL ? ERR_INVAL : ERR_PERM;
	timers_clock_set(old, cairn_realtime_offset());
	return ERR_OK;
}

void ps_getuid(struct proc *c, uint64_t out[3])
{
	out[0] = c->ruid;
	out[1] = c->euid;
	out[2] = c->suid;
}

/* One of the caller's own uids (or left as it is). */
static bool own(const struct proc *c, uint32_t u)
{
	return u == POSIX_UID_KEEP || u == c->ruid || u == c->euid || u == c->suid;
}

err_t ps_setuid(struct proc *c, const uint64_t w[4])
{
	uint32_t r, e, s;
	bool priv = root(c);

	if (w[0] > 2 || w[1] > POSIX_UID_KEEP || w[2] > POSIX_UID_KEEP || w[3] > POSIX_UID_KEEP)
		return ERR_INVAL;
	r = (uint32_t)w[1];
	e = (uint32_t)w[2];
	s = (uint32_t)w[3];
	switch (w[0]) {
	case 0:                                  /* setresuid(r, e, s) */
		if (!priv && (!own(c, r) || !own(c, e) || !own(c, s)))
			return ERR_PERM;
		break;
	case 1:                                  /* setuid(r) */
		if (r == POSIX_UID_KEEP)
			return ERR_INVAL;
		if (priv) {
			e = s = r;
		} else if (r == c->ruid || r == c->suid) {
			e = r;
			r = s = POSIX_UID_KEEP;
		} else {
			return ERR_PERM;
		}
		break;
	default:                                 /* setreuid(r, e) */
		if (!priv && ((r != POSIX_UID_KEEP && r != c->ruid && r != c->euid) || !own(c, e)))
			return ERR_PERM;
		s = POSIX_UID_KEEP;
		if (r != POSIX_UID_KEEP || (e != POSIX_UID_KEEP && e != c->ruid))
			s = e != POSIX_UID_KEEP ? e : c->euid;
		break;
	}
	if (r != POSIX_UID_KEEP)
		c->ruid = r;
	if (e != POSIX_UID_KEEP)
		c->euid = e;
	if (s != POSIX_UID_KEEP)
		c->suid = s;
	return ERR_OK;
}
