# SPDX-License-Identifier: MIT
obj-y += lib/string.o lib/format.o lib/err.o
