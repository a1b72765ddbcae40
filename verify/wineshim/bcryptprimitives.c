/*
 * bcryptprimitives.dll for wine: Go 1.22 and later call ProcessPrng from
 * this DLL at start ("fatal error: bcryptprimitives.dll not found"), which
 * Debian 12's wine 8.0 lacks. This DLL provides ProcessPrng on top of
 * advapi32's RtlGenRandom (SystemFunction036). kiln builds it with
 * mingw-w64 and places it in the system32 directory of its wine prefix.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
