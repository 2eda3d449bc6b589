/* SPDX-License-Identifier: MIT */
/*
 * AF_UNIX names, keys, capabilities in flight and credentials: the parts
 * of Unix domain sockets that do not touch a socket's queues (those are
 * sock.c's "AF_UNIX" section). docs/net.md, "Unix domain sockets", and
 * include/cairn/sock.h say what the protocol is.
 *
 * Names. A bound AF_UNIX socket is in the name table under its name: a
 * path's key (the random number its socket node holds as st_rdev) or an
 * abstract name's bytes and length. Keys come from libcairn's ChaCha20
 * generator (fast key erasure) seeded from getrandom at start, not from
 * lwIP's xorshift, whose state its outputs give away: a client that sees
 * the keys of the nodes it can stat learns nothing of the others.
 *
 * Capabilities in flight (SCM_RIGHTS) are the server's copies, each with
 * a reference of its own in its server; one that is not delivered is
 * released with an IO_CLOSE sent without waiting (srv_call_async), so
 * the server never waits for another server.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <cairn/random.h>
#include "net.h"

#define PATH_MAX_UX 108                  /* sizeof(sun_path) */

static struct unx *names;                /* the name table (few names: a list) */

/* ---- keys ------------------------------------------------------------------------------ */

static struct cairn_rng keys;            /* libcairn's ChaCha20 (user/lib/random.c) */

static uint64_t new_key(void)
{
	uint64_t k;

	do
		cairn_rng_bytes(&keys, &k, sizeof(k));
	while (!k);
	return k;
}

void ux_init(void)
{
	uint8_t seed[CAIRN_RNG_SEED_BYTES];

	if (getrandom(seed, sizeof(seed), 0) == sizeof(seed)) {
		cairn_rng_add(&keys, seed, sizeof(seed));
		keys.seeded = 1;
	} else {
		fprintf(stderr, "net: no entropy: AF_UNIX keys are guessable\n");
		cairn_rng_seed(&keys, CAP_NULL);
	}
	memset(seed, 0, sizeof(seed));
}

/* ---- names ------------------------------------------------------------------------------- */

err_t ux_parse(const uint8_t *b, uint64_t len, struct ux_name *n)
{
	uint16_t fam;
	size_t plen;

	memset(n, 0, sizeof(*n));
	if (len < 2 || len > 2 + PATH_MAX_UX)
		return ERR_INVAL;
	memcpy(&fam, b, 2);
	if (fam != AF_UNIX)
		return ERR_INVAL;
	if (len == 2)
		return E_OK;                           /* no name (autobind) */
	if (b[2] == 0) {                               /* abstract: every byte counts */
		n->abstract = true;
		n->len = (uint8_t)(len - 2);
		memcpy(n->b, b + 2, n->len);
		return E_OK;
	}
	for (plen = 0; plen < len - 2 && b[2 + plen]; plen++)
		;
	n->len = (uint8_t)plen;
	memcpy(n->b, b + 2, plen);
	return E_OK;
}

size_t ux_addr_out(const struct ux_name *n, uint8_t *out)
{
	uint16_t fam = AF_UNIX;

	memcpy(out, &fam, 2);
	if (!n || !n->len)
		return 2;
	memcpy(out + 2, n->b, n->len);
	if (n->abstract || n->len == PATH_MAX_UX)
		return 2 + n->len;
	out[2 + n->len] = 0;                           /* a path: its NUL counted, as Linux */
	return 2 + n->len + 1;
}

static bool same(const struct ux_name *a, const struct ux_name *b)
{
	if (a->abstract != b->abstract)
		return false;
	if (!a->abstract)
		return a->key && a->key == b->key;
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

struct unx *ux_lookup(const struct ux_name *n)
{
	for (struct unx *u = names; u; u = u->next)
		if (same(&u->name, n))
			return u;
	return NULL;
}

err_t ux_register(struct unx *u, const struct ux_name *n)
{
	u->name = *n;
	if (!n->len) {                                  /* autobind: "\0" and five hex digits */
		static const char hex[] = "0123456789abcdef";

		u->name.abstract = true;
		u->name.len = 6;
		do {
			uint64_t k = new_key();

			u->name.b[0] = 0;
			for (int i = 1; i < 6; i++, k >>= 4)
				u->name.b[i] = (uint8_t)hex[k & 15];
		} while (ux_lookup(&u->name));
	} else if (n->abstract) {
		if (ux_lookup(n))
			return ERR_ADDRINUSE;
	} else {
		do
			u->name.key = new_key();
		while (ux_lookup(&u->name));
	}
	u->next = names;
	names = u;
	u->named = true;
	return E_OK;
}

void ux_unregister(struct unx *u)
{
	for (struct unx **p = &names; *p; p = &(*p)->next) {
		if (*p == u) {
			*p = u->next;
			break;
		}
	}
	u->named = false;
	u->next = NULL;
}

/* The struct sock_ux after a request's padded address (alen bytes), if
 * there is one: false when the request is too short for it. */
bool ux_ext(const struct srv_req *r, uint64_t alen, struct sock_ux *x)
{
	uint64_t off = SOCK_ADDR_PAD(alen);

	memset(x, 0, sizeof(*x));
	if (alen > SOCK_ADDR_MAX || off > r->nbytes || r->nbytes - off < sizeof(*x))
		return false;
	memcpy(x, net_in + off, sizeof(*x));
	return true;
}

/* ---- capabilities in flight ---------------------------------------------------------------- */

unsigned long ux_lost;

void ux_rights_release(struct ux_msg *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->nrights; i++) {
		/* its reference in its server; a full ring loses it (counted) */
		if (srv_call_async(m->rights[i], IO_CLOSE, 0))
			ux_lost++;
		cairn_cap_delete(m->rights[i]);
	}
	m->nrights = 0;
}

void ux_msg_free(struct ux_msg *m)
{
	if (m) {
		ux_rights_release(m);
		free(m);
	}
}
