/* SPDX-License-Identifier: MIT */
/* cairn_fs_open(): <cairn/fs_client.h>. */
#include <string.h>
#include <cairn/fs_client.h>

err_t cairn_fs_open(cap_t *root, cap_t dir, const char *path, size_t len, uint32_t flags,
		    uint32_t mode, cap_t *obj, uint32_t *type)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	char buf[POSIX_PATH_MAX];
	cap_t held = CAP_NULL, got;
	unsigned hops = 0;
	uint64_t w0 = 0;
	err_t e;

	if (len > POSIX_INLINE_MAX || len >= POSIX_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (dir == CAP_NULL || (len && path[0] == '/'))
		dir = *root;
	for (;;) {
		struct cairn_msg m;
		unsigned ncaps;

		memcpy(&ib->w[CAIRN_MSG_REGS], path, len);
		m = cairn_call(dir, cairn_tag(FS_OPEN, posix_words(len), 0), flags, mode, len, 0);
		e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
		ncaps = m.err ? 0 : cairn_tag_ncaps(m.tag);
		got = ncaps ? ib->caps[0] : CAP_NULL;
		w0 = m.w[0];
		if (e != ERR_REMOTE)
			break;
		if (++hops > POSIX_REMOTE_MAX || (m.w[0] & POSIX_REMOTE_SPLIT)) {
			e = ERR_LOOP;
			break;
		}
		if (m.w[0] & POSIX_REMOTE_NEWROOT) {
			if (got == CAP_NULL) {
				e = ERR_IO;
				break;
			}
			if (dir == *root)
				dir = got;
			*root = got;
			continue;
		}
		if (!m.w[1] || m.w[1] >= POSIX_PATH_MAX ||
		    m.w[1] > (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8ull) {
			e = ERR_IO;
			break;
		}
		len = m.w[1];
		memcpy(buf, &ib->w[CAIRN_MSG_REGS], len);
		path = buf;
		if (m.w[0] & POSIX_REMOTE_ROOT) {
			if (got != CAP_NULL)
				cairn_cap_delete(got);
			dir = *root;
			continue;
		}
		if (got == CAP_NULL) {
			e = ERR_IO;
			break;
		}
		if (held != CAP_NULL)
			cairn_cap_delete(held);
		dir = held = got;
	}
	if (held != CAP_NULL)
		cairn_cap_delete(held);
	if (e)
		return e;
	if (got == CAP_NULL)
		return ERR_IO;
	*obj = got;
	if (type)
		*type = (uint32_t)w0 & 0170000u;
	return ERR_OK;
}
