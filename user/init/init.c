/* SPDX-License-Identifier: MIT */
/*
 * init: the first user process. The kernel starts it with the boot image
 * (a read-only MemoryObject holding a cpio archive) and the root
 * capabilities; init reads etc/manifest from the image (docs/manifest.md)
 * and starts each service it lists with exactly the capabilities listed,
 * their rights masked as the manifest says. Named endpoints and
 * notifications are made once and shared by every service that names
 * them; irq:/mmio:/ioport: capabilities are asked for once as well. A cap
 * marked optional is left out when init has no such root on this machine
 * (ioportctl and ioport: on riscv64, which has no I/O ports).
 *
 * Each service's end signals one bit of init's exit Notification. init
 * waits on it, reports how the service ended (exit status, or the fault
 * address and pc of a crash), restarts a service that failed while its
 * `restart` count allows, and when every service has ended for good it
 * exits: 0 if all of them exited with status 0, else 1; or, if one service
 * is marked `exitstatus`, with that service's status as a shell reports
 * it (its exit status 0..255, 128 + the signal for a crash or a kill,
 * 127 if it could not start); once that service has ended for good, the
 * services still running are killed (servers that run for ever: the
 * POSIX world of ./qemu-run.sh --exec). The kernel powers off with init's
 * status.
 *
 * A service marked `template` is not started at boot. A `launcher:<name>`
 * capability is init's own endpoint badged with that template; a call
 * LAUNCH_START on it (include/cairn/launch.h) starts an instance of the
 * template with the template's capabilities (those it receives on made
 * anew) and quota, the caller's capability as "caller", and arguments
 * "--dev NAME [--ro]" after the template's. With a launcher in the
 * manifest init serves that endpoint with the server skeleton, and the
 * services' ends reach it through the skeleton's relay.
 *
 * A server's death (docs/manifest.md, "When a server dies"): init keeps
 * every named endpoint with the rights it was made with, so that a
 * restarted server receives on the same one and its clients' capabilities
 * keep working; calls made meanwhile wait for it. A service that has
 * ended for good gives up what it received on: init keeps only a
 * write-only copy of each endpoint no running service can receive on, so
 * the kernel fails every call waiting there, and every later one, with
 * ERR_PIPE. An `essential` service that ends for good ends the system:
 * init stops the others and exits with its status.
 */
#include <stdbool.h>
#include <string.h>
#include <lib/cpio.h>
#include <lib/manifest.h>
#include <format.h>
#include <cairn/rt.h>
#include <cairn/posix.h>
#include <cairn/spawn.h>
#include <cairn/server.h>
#include <cairn/launch.h>

#define MAX_SERVICES  64    /* one bit of the exit Notification each */
#define MAX_SHARED    64

struct service {
	const struct manifest_service *m;    /* NULL: a free slot (instances) */
	uint64_t elf_off, elf_size;          /* the program inside the boot image */
	bool instance;                       /* of the template m, on demand */
	char iname[MANIFEST_NAME_SIZE];      /* an instance's name: template.slot */
	char idev[LAUNCH_NAME_MAX + 1];      /* an instance's --dev */
	bool iro;                            /* ... and --ro */
	cap_t caller;                        /* an instance's "caller", until it starts */
	struct cairn_child child;
	bool running, ok;
	bool done;                           /* ended for good (or never started) */
	unsigned restarts, id;
	int status;                          /* as a shell reports it (exitstatus) */
};

static struct manifest_service defs[MAX_SERVICES];
static struct service svcs[MAX_SERVICES];
static unsigned nsvc;

/* Capabilities made from sources other than the roots, by source string. */
static struct {
	char source[MANIFEST_SOURCE_SIZE];
	cap_t cap;
} shared[MAX_SHARED];
static unsigned nshared;

static cap_t bootimage, exit_notify;
static const struct service *ending;     /* the essential service that ended the system */
static bool stopping;                    /* stop_the_rest() is ending the services */
static cap_t launch_ep = CAP_NULL;       /* launcher: sources, badged template index + 1 */
static const void *image;
static uint64_t image_size;
static unsigned next_id = 1;

static err_t root(const char *name, cap_t *out)
{
	*out = cairn_cap(name);
	return *out == CAP_NULL ? ERR_NOENT : ERR_OK;
}

static err_t make_cap(const struct manifest_source *src, cap_t *out)
{
	struct cairn_msg m;
	cap_t ctl;
	err_t e;

	switch (src->kind) {
	case MANIFEST_SRC_IRQ:
		if ((e = root("irqctl", &ctl)))
			return e;
		e = cairn_invoke(ctl, IRQCTL_GET, 0, src->number, 0, 0, 0, &m);
		break;
	case MANIFEST_SRC_MMIO:
		if ((e = root("mmioctl", &ctl)))
			return e;
		e = cairn_invoke(ctl, MMIOCTL_GET, 0, src->number, src->size, 0, 0, &m);
		break;
	case MANIFEST_SRC_IOPORT:
		if ((e = root("ioportctl", &ctl)))       /* none on riscv64: ERR_NOENT */
			return e;
		e = cairn_invoke(ctl, IOPORTCTL_GET, 0, src->number, src->size, 0, 0, &m);
		break;
	case MANIFEST_SRC_ENDPOINT:
		e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m);
		break;
	case MANIFEST_SRC_NOTIFICATION:
		e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m);
		break;
	default:
		return ERR_INVAL;
	}
	if (!e)
		*out = m.w[0];
	return e;
}

/* The capability in init's table that a manifest source names. */
static err_t source_cap(const char *source, cap_t *out)
{
	struct manifest_source src;
	err_t e;

	if (manifest_source_parse(source, &src))
		return ERR_INVAL;
	switch (src.kind) {
	case MANIFEST_SRC_CONSOLE: return root("console", out);
	case MANIFEST_SRC_BOOTIMAGE: return root("bootimage", out);
	case MANIFEST_SRC_KINFO: return root("kinfo", out);
	case MANIFEST_SRC_IRQCTL: return root("irqctl", out);
	case MANIFEST_SRC_MMIOCTL: return root("mmioctl", out);
	case MANIFEST_SRC_IOPORTCTL: return root("ioportctl", out);   /* x86-64 only */
	default: break;
	}
	for (unsigned i = 0; i < nshared; i++) {
		if (!strcmp(shared[i].source, source)) {
			*out = shared[i].cap;
			return ERR_OK;
		}
	}
	if (nshared == MAX_SHARED)
		return ERR_NOSPC;
	if ((e = make_cap(&src, out)))
		return e;
	strlcpy(shared[nshared].source, source, sizeof(shared[nshared].source));
	shared[nshared++].cap = *out;
	return ERR_OK;
}

/* The endpoint launcher:<name> names, badged with its template. */
static err_t launcher_cap(const char *name, cap_t *cap, uint64_t *badge)
{
	struct cairn_msg m;
	err_t e;

	for (unsigned i = 0; i < nsvc; i++) {
		if (strcmp(defs[i].name, name) || !defs[i].tmpl)
			continue;
		if (launch_ep == CAP_NULL) {
			if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m)))
				return e;
			launch_ep = m.w[0];
		}
		*cap = launch_ep;
		*badge = i + 1;
		return ERR_OK;
	}
	return ERR_INVAL;             /* names no template */
}

static const char *svc_name(const struct service *s)
{
	return s->instance ? s->iname : s->m->name;
}

/* process:<name>: the Process of service <name>, which must be running
 * (started above the service that names it). */
static err_t process_cap(const char *name, cap_t *cap)
{
	for (unsigned i = 0; i < nsvc; i++) {
		if (!strcmp(defs[i].name, name) && !defs[i].tmpl) {
			if (!svcs[i].running)
				return ERR_SRCH;
			*cap = svcs[i].child.proc;
			return ERR_OK;
		}
	}
	return ERR_NOENT;
}

/* Does a service other than s, running or still to start, receive on
 * endpoint `source`? */
static bool received_elsewhere(const struct service *s, const char *source)
{
	for (unsigned i = 0; i < nsvc; i++) {
		const struct service *o = &svcs[i];
		if (o == s || o->done || o->m->tmpl)
			continue;
		for (unsigned k = 0; k < o->m->ncaps; k++)
			if ((o->m->caps[k].rights & MANIFEST_RIGHT_READ) &&
			    !strcmp(o->m->caps[k].source, source))
				return true;
	}
	return false;
}

/* s has ended for good: of each endpoint it received on that no running
 * service receives on, init keeps a write-only copy (for services still
 * to start that name it). With no capability left that can receive, the
 * kernel ends the calls waiting there, and every later one, with
 * ERR_PIPE: the dead server's clients never wait for ever. */
static void give_up_endpoints(const struct service *s)
{
	const struct manifest_service *m = s->m;

	if (s->instance)
		return;                 /* its endpoints were its own */
	for (unsigned i = 0; i < m->ncaps; i++) {
		struct manifest_source src;
		cap_t w;

		if (!(m->caps[i].rights & MANIFEST_RIGHT_READ) ||
		    manifest_source_parse(m->caps[i].source, &src) || src.kind != MANIFEST_SRC_ENDPOINT ||
		    received_elsewhere(s, m->caps[i].source))
			continue;
		/* made now if it never was: services started later that name it
		 * get the write-only copy */
		if (source_cap(m->caps[i].source, &w))
			continue;
		for (unsigned k = 0; k < nshared; k++) {
			if (strcmp(shared[k].source, m->caps[i].source))
				continue;
			if (cairn_cap_copy(shared[k].cap, RIGHT_WRITE | RIGHT_GRANT, &w)) {
				printf("init: cannot give up endpoint %s\n", shared[k].source);
				break;
			}
			cairn_cap_delete(shared[k].cap);
			shared[k].cap = w;
			break;
		}
	}
}

static err_t start(struct service *s)
{
	const struct manifest_service *m = s->m;
	struct cairn_spawn_cap caps[MANIFEST_MAX_CAPS + 1];
	cap_t made[MANIFEST_MAX_CAPS];           /* an instance's own endpoints */
	const char *argv[MANIFEST_MAX_ARGS + 3];
	unsigned ncaps = 0, nmade = 0, argc = m->argc;
	struct cairn_spawn sp = {
		.image = bootimage, .offset = s->elf_off, .size = s->elf_size, .name = svc_name(s),
		.argv = argv, .caps = caps,
		.quota = m->quota, .priority = m->priority,
		.exit_notify = exit_notify, .exit_bits = 1ull << (s - svcs),
	};
	err_t e;

	for (unsigned i = 0; i < m->argc; i++)
		argv[i] = m->argv[i];
	if (s->instance) {
		argv[0] = s->iname;
		argv[argc++] = "--dev";
		argv[argc++] = s->idev;
		if (s->iro)
			argv[argc++] = "--ro";
	}
	sp.argc = argc;
	for (unsigned i = 0; i < m->ncaps; i++) {
		struct cairn_spawn_cap *c = &caps[ncaps];
		struct manifest_source src;

		c->badge = 0;
		if (!manifest_source_parse(m->caps[i].source, &src) && src.kind == MANIFEST_SRC_LAUNCHER) {
			e = launcher_cap(src.name, &c->cap, &c->badge);
		} else if (src.kind == MANIFEST_SRC_PROCESS) {
			e = process_cap(src.name, &c->cap);
		} else if (s->instance && (m->caps[i].rights & MANIFEST_RIGHT_READ) &&
			   (src.kind == MANIFEST_SRC_ENDPOINT || src.kind == MANIFEST_SRC_NOTIFICATION)) {
			/* what the instance receives on is its own */
			if (!(e = make_cap(&src, &c->cap)))
				made[nmade++] = c->cap;
		} else {
			e = source_cap(m->caps[i].source, &c->cap);
		}
		if (e == ERR_NOENT && m->caps[i].optional)
			continue;       /* no such root here (ioportctl on riscv64) */
		if (e) {
			printf("init: service %s: no capability %s (%s): %s%s\n", svc_name(s),
			       m->caps[i].name, m->caps[i].source, err_name(e),
			       e == ERR_NOENT && !strncmp(m->caps[i].source, "ioport", 6) ?
			       " (this machine has no I/O ports)" : "");
			goto out;
		}
		c->name = m->caps[i].name;
		c->rights = m->caps[i].rights;
		ncaps++;
	}
	if (s->instance && s->caller != CAP_NULL) {
		caps[ncaps].cap = s->caller;
		caps[ncaps].name = "caller";
		caps[ncaps].rights = MANIFEST_RIGHTS_ALL;
		caps[ncaps].badge = 0;
		ncaps++;
	}
	sp.ncaps = ncaps;
	e = cairn_spawn(&sp, &s->child);
	if (e) {
		printf("init: service %s: cannot start %s (priority %u, quota %lu): %s\n", svc_name(s),
		       m->path, m->priority, (unsigned long)m->quota, err_name(e));
		goto out;
	}
	s->running = true;
	s->id = next_id++;
	printf("init: started %s (id %u) caps:", svc_name(s), s->id);
	for (unsigned i = 0; i < ncaps; i++)
		printf(" %s", caps[i].name);
	printf("\n");
out:
	for (unsigned i = 0; i < nmade; i++)      /* the instance holds its copies */
		cairn_cap_delete(made[i]);
	return e;
}

/* s has ended for good (or never started): its endpoints are given up,
 * and if it is essential the system ends (stop_the_rest()). */
static void ended_for_good(struct service *s)
{
	if (!s->instance)
		s->done = true;
	give_up_endpoints(s);
	if (s->m->essential && !ending && !stopping) {
		ending = s;
		printf("init: %s is essential and has ended: stopping the system\n", svc_name(s));
	}
}

/* The service's process ended: report how, release it, restart it if it
 * failed and may be restarted. */
static void reap(struct service *s)
{
	const char *name = svc_name(s);
	struct cairn_proc_status st;
	err_t e = cairn_child_status(&s->child, &st);

	if (e) {
		printf("init: service %s ended (no status: %s)\n", name, err_name(e));
		s->ok = false;
	} else if (st.state == PROC_STATE_RUNNING) {
		return;   /* not this one */
	} else if (st.state == PROC_STATE_EXITED) {
		printf("init: service %s exited with status %ld\n", name, (long)st.status);
		s->ok = st.status == 0;
		s->status = (int)(st.status & 0xff);
	} else if (st.state == PROC_STATE_FAULTED) {
		printf("init: service %s crashed: fault at %#lx", name, (unsigned long)st.fault_addr);
		if (st.fault_pc)
			printf(" (pc %#lx)", (unsigned long)st.fault_pc);
		printf("\n");
		s->ok = false;
		/* as a POSIX parent would see it: SIGSEGV for a bad access,
		 * SIGBUS, SIGTRAP, SIGFPE, else SIGILL */
		s->status = 128 + posix_fault_signal(st.status);
	} else {
		printf("init: service %s was killed (status %ld)\n", name, (long)st.status);
		s->ok = false;
		s->status = 128 + 9;   /* SIGKILL */
	}
	cairn_child_release(&s->child);
	s->running = false;
	if (s->instance) {                   /* never restarted: the slot is free again */
		if (s->caller != CAP_NULL)
			cairn_cap_delete(s->caller);
		s->caller = CAP_NULL;
		s->m = NULL;
		s->instance = false;
		return;
	}
	if (!s->ok && s->restarts < s->m->restart && !ending) {
		s->restarts++;
		printf("init: restarting %s (%u of %u)\n", name, s->restarts, s->m->restart);
		if (!start(s))
			return;
	}
	ended_for_good(s);
}

/* Maps the boot image and reads the manifest into defs[]/svcs[]. */
static err_t load_manifest(void)
{
	struct cpio_entry e;
	struct manifest_error merr;
	uint64_t pages;
	void *va;
	err_t rc;

	if ((rc = root("bootimage", &bootimage))) {
		printf("init: no boot image capability\n");
		return rc;
	}
	if ((rc = cairn_memobj_pages(bootimage, &pages)) ||
	    (rc = cairn_map(bootimage, 0, pages, CAIRN_PROT_R, &va))) {
		printf("init: cannot map the boot image: %s\n", err_name(rc));
		return rc;
	}
	image = va;
	image_size = pages * CAIRN_PAGE_SIZE;
	if ((rc = cpio_find(image, image_size, "etc/manifest", &e))) {
		printf("init: no etc/manifest in the boot image: %s\n", err_name(rc));
		return rc;
	}
	rc = manifest_parse(e.data, e.size, defs, MAX_SERVICES, &nsvc, &merr);
	if (rc) {
		printf("init: etc/manifest:%u: %s\n", merr.line, merr.msg);
		return rc;
	}
	for (unsigned i = 0; i < nsvc; i++) {
		svcs[i].m = &defs[i];
		rc = cpio_find(image, image_size, defs[i].path, &e);
		if (!rc && (e.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
			rc = ERR_NOEXEC;
		if (rc) {
			printf("init: service %s: no program %s in the boot image: %s\n", defs[i].name,
			       defs[i].path, err_name(rc));
			svcs[i].elf_size = 0;
			continue;
		}
		svcs[i].elf_off = (uint64_t)((const char *)e.data - (const char *)image);
		svcs[i].elf_size = e.size;
	}
	return ERR_OK;
}

static void print_free_memory(const char *when)
{
	struct cairn_msg m;
	cap_t kinfo = cairn_cap("kinfo");

	if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_FREE_PAGES, 0, 0, 0, 0, 0, &m))
		printf("init: %s: %lu of %lu pages free\n", when, (unsigned long)m.w[0],
		       (unsigned long)m.w[1]);
}

static unsigned running_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_SERVICES; i++)
		n += svcs[i].running;
	return n;
}

/* The service marked `exitstatus` is the machine's program: once it has
 * ended for good, the services still running (servers that never end by
 * themselves) are killed, so that the boot ends with its status. */
static void stop_the_rest(void)
{
	bool main_done = ending != NULL;

	for (unsigned i = 0; i < nsvc; i++)
		if (defs[i].exitstatus && !svcs[i].running)
			main_done = true;
	if (!main_done)
		return;
	stopping = true;            /* the ends that follow are ours */
	for (unsigned i = 0; i < MAX_SERVICES; i++) {
		if (!svcs[i].running)
			continue;
		printf("init: stopping %s: %s\n", svc_name(&svcs[i]),
		       ending ? "the system ends" : "the exitstatus service has ended");
		cairn_invoke(svcs[i].child.proc, PROC_KILL, 0, (uint64_t)-1, 0, 0, 0, NULL);
		if (!svcs[i].instance)
			svcs[i].restarts = defs[i].restart;     /* not restarted */
		reap(&svcs[i]);
		svcs[i].ok = true;                      /* stopped on purpose */
	}
}

/* ---- the launcher: instances of template services ------------------------------------ */

static uint8_t launch_in[64];
static struct srv launch_srv;

static bool dev_name_ok(const uint8_t *p, size_t n)
{
	if (!n || n > LAUNCH_NAME_MAX || p[0] == '.' || p[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* LAUNCH_START on launcher:<template> (badge: the template's index + 1). */
static void launch_start(struct srv_req *r, struct srv_ans *a)
{
	uint64_t t = r->badge - 1, n = r->w[2];
	struct service *s = NULL;
	err_t e;

	if (!r->badge || t >= nsvc || !defs[t].tmpl || (r->w[0] & ~(uint64_t)LAUNCH_RO) ||
	    n > r->nbytes || !dev_name_ok(launch_in, n)) {
		a->err = ERR_INVAL;
		return;
	}
	for (unsigned i = nsvc; i < MAX_SERVICES && !s; i++)
		if (!svcs[i].m && !svcs[i].running)
			s = &svcs[i];
	if (!s) {
		a->err = ERR_NOSPC;
		return;
	}
	memset(s, 0, sizeof(*s));
	s->m = &defs[t];
	s->instance = true;
	s->elf_off = svcs[t].elf_off;
	s->elf_size = svcs[t].elf_size;
	s->status = 127;
	memcpy(s->idev, launch_in, n);
	s->idev[n] = 0;
	s->iro = r->w[0] & LAUNCH_RO;
	s->caller = CAP_NULL;
	if (r->ncaps >= 1 && r->caps[0] != CAP_NULL) {
		s->caller = r->caps[0];
		r->caps[0] = CAP_NULL;        /* kept until the instance has its copy */
	}
	/* named template.N: N its slot, unique while it runs */
	fmt_snprintf(s->iname, sizeof(s->iname), "%.24s.%u", defs[t].name, (unsigned)(s - svcs));
	if (!s->elf_size)
		e = ERR_NOENT;
	else
		e = start(s);
	if (s->caller != CAP_NULL)
		cairn_cap_delete(s->caller);      /* the instance holds its copy */
	s->caller = CAP_NULL;
	if (e) {
		memset(s, 0, sizeof(*s));
		a->err = e;
		return;
	}
	a->w[0] = s->id;
}

static void launch_exits(uint64_t bits)
{
	for (unsigned i = 0; i < MAX_SERVICES; i++)
		if ((bits >> i & 1) && svcs[i].running)
			reap(&svcs[i]);
	stop_the_rest();
	if (!running_count())
		srv_stop(&launch_srv);
}

static const struct srv_op launch_ops[] = {
	{ LAUNCH_START, LAUNCH_START, launch_start },
};

/* Serves the launcher until every service has ended; the services' ends
 * come through the skeleton's relay (exit_notify). */
static err_t launch_serve(void)
{
	err_t e = ERR_PERM;

	launch_srv.name = "init";
	launch_srv.ep = launch_ep;
	launch_srv.ops = launch_ops;
	launch_srv.nops = 1;
	launch_srv.in_buf = launch_in;
	launch_srv.in_max = sizeof(launch_in);
	launch_srv.event = launch_exits;
	/* a service's end at once (else the highest relay thread allowed) */
	if ((e = srv_bind(&launch_srv, exit_notify)))
		e = ERR_PERM;
	for (unsigned prio = 16; prio > 0 && e == ERR_PERM; prio--)
		e = srv_relay(&launch_srv, exit_notify, prio);
	if (e) {
		printf("init: cannot start the launcher's relay: %s\n", err_name(e));
		return e;
	}
	srv_run(&launch_srv);
	return ERR_OK;
}

int main(int argc, char **argv)
{
	bool all_ok = true;
	struct cairn_msg m;
	err_t e;

	printf("init: Cairn init starting\n");
	if (load_manifest())
		return 1;
	printf("init: %u service%s in etc/manifest\n", nsvc, nsvc == 1 ? "" : "s");

	e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m);
	if (e) {
		printf("init: cannot create the exit notification: %s\n", err_name(e));
		return 1;
	}
	exit_notify = m.w[0];
	for (unsigned i = 0; i < MAX_SERVICES; i++)
		svcs[i].status = 127;   /* until it ends: it may never start (and
		                         * the table's pages are touched before the
		                         * count, as the services' ends all touch it) */
	print_free_memory("before the services");

	for (unsigned i = 0; i < nsvc; i++) {
		if (defs[i].tmpl)
			svcs[i].ok = true;      /* started on demand only */
		else if (!svcs[i].elf_size || start(&svcs[i]))
			ended_for_good(&svcs[i]);     /* its clients must not wait for it */
	}
	stop_the_rest();                        /* an essential one did not start */

	if (launch_ep != CAP_NULL && running_count() && launch_serve())
		return 1;
	while (running_count()) {
		uint64_t bits;

		e = cairn_wait(exit_notify, CAIRN_FOREVER, &bits);
		if (e) {
			printf("init: waiting for services failed: %s\n", err_name(e));
			return 1;
		}
		for (unsigned i = 0; i < MAX_SERVICES; i++)
			if ((bits >> i & 1) && svcs[i].running)
				reap(&svcs[i]);
		stop_the_rest();
	}

	for (unsigned i = 0; i < nsvc; i++)
		all_ok &= svcs[i].ok;
	print_free_memory("after the services");
	printf("init: all services ended\n");
	if (ending) {
		printf("init: exit status %d (service %s, essential, ended)\n", ending->status,
		       ending->m->name);
		return ending->status;
	}
	for (unsigned i = 0; i < nsvc; i++) {
		if (defs[i].exitstatus) {
			printf("init: exit status %d (service %s)\n", svcs[i].status, defs[i].name);
			return svcs[i].status;
		}
	}
	return all_ok ? 0 : 1;
}
