// Xen's public interface, as Debian's libxen-dev ships it (/usr/include/xen).
//
// The headers are C; they compile as C++ once the interface version is chosen.  We pin the
// version this kit was written against rather than "latest" so a newer libxen-dev cannot
// silently change a structure under us.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040d00  // Xen 4.13 interface: everything we use exists there
#endif

#include <stdint.h>

#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/version.h>
#include <xen/callback.h>
#include <xen/io/console.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
// xs_wire.h names xenstored's errors with the errno macros, if they are defined: Linux's uapi
// header has only the macros, nothing of a C library.
#include <linux/errno.h>
#include <xen/io/xs_wire.h>
