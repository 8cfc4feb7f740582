#ifndef CUNTONG_CPCSCLITE_SHIM_H
#define CUNTONG_CPCSCLITE_SHIM_H
// pkg-config libpcsclite adds -I/usr/include/PCSC.
#include <winscard.h>
#include <reader.h>

// The PCI structures are exported as globals; SCARD_PCI_T0/T1 are address-of macros
// that Swift cannot import, so expose them as functions.
static inline const SCARD_IO_REQUEST *cuntong_pci_t0(void) { return SCARD_PCI_T0; }
static inline const SCARD_IO_REQUEST *cuntong_pci_t1(void) { return SCARD_PCI_T1; }
static inline const SCARD_IO_REQUEST *cuntong_pci_raw(void) { return SCARD_PCI_RAW; }
#endif
