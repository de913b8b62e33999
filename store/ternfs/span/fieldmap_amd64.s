#include "textflag.h"

// func mapBytesAVX2(dst, src *byte, n int, lo, hi *[16]byte)
// n is a multiple of 32. Each byte x becomes lo[x&15] ^ hi[x>>4], 32 at a
// time with VPSHUFB looking both nibbles up in their 16-entry tables.
TEXT ·mapBytesAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ lo+24(FP), AX
	MOVQ hi+32(FP), BX
	VBROADCASTI128 (AX), Y0
	VBROADCASTI128 (BX), Y1
	MOVQ $0x0f, DX
	MOVQ DX, X2
	VPBROADCASTB X2, Y2
	SHRQ $5, CX
	JZ   done

loop:
	VMOVDQU (SI), Y3
	VPSRLQ  $4, Y3, Y4
	VPAND   Y2, Y3, Y3
	VPAND   Y2, Y4, Y4
	VPSHUFB Y3, Y0, Y3
	VPSHUFB Y4, Y1, Y4
	VPXOR   Y3, Y4, Y3
	VMOVDQU Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
