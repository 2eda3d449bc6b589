// SPDX-License-Identifier: MIT
/* DEV_LOOKUP for clients of the device manager: <cairn/dev_client.h>. */
#include <string.h>
#include <cairn/dev_client.h>

err_t cairn_dev_lookup(cap_t devmgr, const char *name, unsigned flags, cap_t *svc)
{
	struct cairn_ipcbuf *b = cairn_ipcbuf();
	size_t n = strlen(name);
	unsigned words = (unsigned)((n + 7) / 8);
	struct cairn_msg m;
	err_t e;

	*svc = CAP_NULL;
	if (n == 0 || n > DEV_NAME_MAX)
		return ERR_INVAL;
	memset(&b->w[CAIRN_MSG_REGS], 0, words * 8);
	memcpy(&b->w[CAIRN_MSG_REGS], name, n);
	m = cairn_call(devmgr, cairn_tag(DEV_LOOKUP, CAIRN_MSG_REGS + words, 0), flags, 0, 0, 0);
	e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	if (e)
		return e;
	if (cairn_tag_ncaps(m.tag) != 1)
		return ERR_IO;
	*svc = b->caps[0];
	return ERR_OK;
}
