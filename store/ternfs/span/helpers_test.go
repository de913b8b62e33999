package span

import "github.com/terngate/terngate/store/ternfs/wire"

// pattern is n bytes that differ per seed and make misplaced bytes show.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

func mustParity(d, p int) wire.Parity {
	parity, err := wire.MakeParity(d, p)
	if err != nil {
		panic(err)
	}
	return parity
}
