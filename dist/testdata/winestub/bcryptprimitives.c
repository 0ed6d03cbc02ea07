/*
 * TEST ONLY, never shipped: a stand-in for Windows' bcryptprimitives.dll so
 * that passport.exe starts under Debian's Wine 8, which lacks that DLL. Go's
 * Windows runtime loads ProcessPrng from it at start-up (Windows 10 and 11
 * have it). scripts/test-dist.sh builds this with mingw and copies it into a
 * throw-away Wine prefix's system32.
 *
 * ProcessPrng fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), Wine's system random source; it takes at most ULONG
 * bytes per call, hence the loop.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
