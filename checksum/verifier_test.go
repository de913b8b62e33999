package checksum

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/terngate/terngate/s3err"
)

// readAll reads r to the end, failing the test on any error before the
// final read, and returns the data and the final error.
func readAll(t *testing.T, r io.Reader, chunk int) ([]byte, error) {
	t.Helper()
	var out []byte
	buf := make([]byte, chunk)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

func TestVerifierAcceptsEachAlgorithm(t *testing.T) {
	for _, v := range checkVectors {
		for _, body := range []io.Reader{
			strings.NewReader(checkInput),
			iotest.OneByteReader(strings.NewReader(checkInput)),
			iotest.DataErrReader(strings.NewReader(checkInput)), // data and EOF together
			iotest.HalfReader(strings.NewReader(checkInput)),
		} {
			r := NewVerifier(body, Spec{Algorithm: v.alg, Value: v.base64})
			got, err := readAll(t, r, 4)
			if err != io.EOF || string(got) != checkInput {
				t.Fatalf("%s: read %q, %v", v.alg, got, err)
			}
			if sums := r.Sums(); len(sums) != 1 || sums[v.alg] != v.base64 {
				t.Fatalf("%s: Sums = %v", v.alg, sums)
			}
			if d := r.Digest(); Encode(d) != v.base64 {
				t.Fatalf("%s: Digest = %x", v.alg, d)
			}
			if n, err := r.Read(make([]byte, 8)); n != 0 || err != io.EOF {
				t.Fatalf("%s: read after EOF = %d, %v", v.alg, n, err)
			}
		}
	}
}

func TestVerifierMismatchIsBadDigestAtEOF(t *testing.T) {
	body := bytes.Repeat([]byte("terngate"), 1000)
	for _, v := range checkVectors {
		// The value of "123456789" is valid but wrong for this body.
		r := NewVerifier(iotest.OneByteReader(bytes.NewReader(body)), Spec{Algorithm: v.alg, Value: v.base64})
		got, err := readAll(t, r, 100)
		if !bytes.Equal(got, body) {
			t.Fatalf("%s: got %d bytes before the error, want all %d", v.alg, len(got), len(body))
		}
		var e *s3err.Error
		if !errors.As(err, &e) || !errors.Is(err, s3err.BadDigest) {
			t.Fatalf("%s: final error %v, want BadDigest", v.alg, err)
		}
		want := "The " + string(v.alg) + " you specified did not match the calculated checksum."
		if e.Message != want || e.Status != 400 {
			t.Fatalf("%s: %d %q, want %q", v.alg, e.Status, e.Message, want)
		}
		if r.Sums() != nil || r.Digest() != nil {
			t.Fatalf("%s: Sums after mismatch = %v", v.alg, r.Sums())
		}
		if _, again := r.Read(make([]byte, 1)); !errors.Is(again, s3err.BadDigest) {
			t.Fatalf("%s: error not sticky: %v", v.alg, again)
		}
	}
}

func TestVerifierMismatchStopsIOCopy(t *testing.T) {
	r := NewVerifier(strings.NewReader("hello"), Spec{Algorithm: CRC32, Value: "y/Q5Jg=="})
	var dst bytes.Buffer
	if _, err := io.Copy(&dst, r); !errors.Is(err, s3err.BadDigest) {
		t.Fatalf("io.Copy error %v, want BadDigest", err)
	}
}

func TestVerifierDefaultsToCRC64NVME(t *testing.T) {
	r := NewVerifier(strings.NewReader(checkInput), Spec{})
	if r.Algorithm() != CRC64NVME {
		t.Fatalf("Algorithm = %s", r.Algorithm())
	}
	if r.Sums() != nil {
		t.Fatal("Sums before EOF")
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	if sums := r.Sums(); len(sums) != 1 || sums[CRC64NVME] != "rosUhgp5mIg=" {
		t.Fatalf("Sums = %v", sums)
	}
}

func TestVerifierEmptyBody(t *testing.T) {
	r := NewVerifier(strings.NewReader(""), Spec{Algorithm: CRC32, Value: "AAAAAA=="})
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	if r.Sums()[CRC32] != "AAAAAA==" {
		t.Fatalf("Sums = %v", r.Sums())
	}
}

// trailerDecoder imitates the aws-chunked decoder: it reads the trailer
// after the last chunk and hands it over before returning EOF.
type trailerDecoder struct {
	body    io.Reader
	trailer string
	deliver func(string)
}

func (d *trailerDecoder) Read(p []byte) (int, error) {
	n, err := d.body.Read(p)
	if err == io.EOF && d.deliver != nil {
		d.deliver(d.trailer)
	}
	return n, err
}

func TestVerifierTrailer(t *testing.T) {
	spec := Spec{Algorithm: SHA256, Trailer: true}
	good := checkVectors[4].base64
	run := func(trailer string, deliver bool) error {
		dec := &trailerDecoder{body: iotest.HalfReader(strings.NewReader(checkInput)), trailer: trailer}
		r := NewVerifier(dec, spec)
		if deliver {
			dec.deliver = r.SetTrailer
		}
		got, err := readAll(t, r, 3)
		if string(got) != checkInput {
			t.Fatalf("read %q", got)
		}
		if err == io.EOF {
			if r.Sums()[SHA256] != good {
				t.Fatalf("Sums = %v", r.Sums())
			}
			return nil
		}
		return err
	}
	if err := run(good, true); err != nil {
		t.Fatalf("good trailer: %v", err)
	}
	if err := run(" "+good+"\r", true); err != nil {
		t.Fatalf("good trailer with whitespace: %v", err)
	}
	if err := run(Checksum(SHA256, []byte("other")), true); !errors.Is(err, s3err.BadDigest) {
		t.Fatalf("wrong trailer: %v", err)
	}
	err := run("not base64", true)
	var e *s3err.Error
	if !errors.As(err, &e) || e.Code != "InvalidRequest" || e.Message != "Value for x-amz-checksum-sha256 trailing header is invalid." {
		t.Fatalf("invalid trailer: %v", err)
	}
	err = run(good, false)
	if !errors.As(err, &e) || e.Code != "MalformedTrailerError" || e.Status != 400 {
		t.Fatalf("missing trailer: %v", err)
	}
}

func TestVerifierPassesBodyErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r := NewVerifier(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), Spec{Algorithm: CRC32, Value: "y/Q5Jg=="})
	_, err := io.Copy(io.Discard, r)
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want the body's", err)
	}
	if r.Sums() != nil {
		t.Fatal("Sums after a failed body")
	}
	if _, again := r.Read(make([]byte, 1)); !errors.Is(again, boom) {
		t.Fatalf("error not sticky: %v", again)
	}
}

func TestVerifierRandomReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 3<<20+17)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, a := range Algorithms() {
		want := Checksum(a, data)
		r := NewVerifier(&randomChunks{data: data, rng: rng}, Spec{Algorithm: a, Value: want})
		var got bytes.Buffer
		if _, err := io.Copy(&got, r); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if !bytes.Equal(got.Bytes(), data) || r.Sums()[a] != want {
			t.Fatalf("%s: data or sum differs", a)
		}
	}
}

// randomChunks returns data in reads of random size.
type randomChunks struct {
	data []byte
	rng  *rand.Rand
}

func (c *randomChunks) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(70000))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}
