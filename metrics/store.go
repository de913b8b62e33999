package metrics

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/terngate/terngate/store"
)

// instrumentedStore decorates a store.Store with per-operation latency and
// error counts. It changes no behaviour: every call and result passes
// through as is.
type instrumentedStore struct {
	next store.Store
	m    *Metrics
}

var _ store.Store = instrumentedStore{}

// InstrumentStore returns st recording into m. The result offers the
// optional store.AttributedFiles, store.SortedDirReader and
// store.VersionedDirs exactly when st does.
func InstrumentStore(st store.Store, m *Metrics) store.Store {
	base := instrumentedStore{next: st, m: m}
	return withVersions(instrumentWithoutVersions(st, base), st, base)
}

func instrumentWithoutVersions(st store.Store, base instrumentedStore) store.Store {
	attr, hasAttr := st.(store.AttributedFiles)
	sorted, hasSorted := st.(store.SortedDirReader)
	reads := sortedReads{sorted: sorted, obs: base}
	switch {
	case hasAttr && hasSorted:
		return instrumentedAttributedSortedStore{instrumentedAttributedStore{base, attr}, reads}
	case hasAttr:
		return instrumentedAttributedStore{instrumentedStore: base, attr: attr}
	case hasSorted:
		return instrumentedSortedStore{base, reads}
	}
	return base
}

// expectedOutcomes are the store's answers that describe the namespace, not
// a failure of the store: they are how lookups miss and races resolve.
var expectedOutcomes = []error{
	store.ErrNotFound, store.ErrNotDirectory, store.ErrIsDirectory, store.ErrExists,
	store.ErrNotEmpty, store.ErrInvalidName, store.ErrStale,
	context.Canceled, context.DeadlineExceeded,
}

func isStoreFailure(err error) bool {
	if err == nil {
		return false
	}
	for _, e := range expectedOutcomes {
		if errors.Is(err, e) {
			return false
		}
	}
	return true
}

// observe records one call that started at start and ended with err.
func (s instrumentedStore) observe(op string, start time.Time, err error) {
	s.m.StoreDurationOf(op).Observe(time.Since(start).Seconds())
	if isStoreFailure(err) {
		s.m.StoreErrors.WithLabelValues(op).Inc()
	}
}

func (s instrumentedStore) Root() store.ID { return s.next.Root() }

func (s instrumentedStore) Lookup(ctx context.Context, dir store.ID, name string) (store.Entry, error) {
	start := time.Now()
	e, err := s.next.Lookup(ctx, dir, name)
	s.observe("Lookup", start, err)
	return e, err
}

func (s instrumentedStore) MakeDirectory(ctx context.Context, parent store.ID, name string) (store.ID, error) {
	start := time.Now()
	id, err := s.next.MakeDirectory(ctx, parent, name)
	s.observe("MakeDirectory", start, err)
	return id, err
}

func (s instrumentedStore) RemoveDirectory(ctx context.Context, parent store.ID, name string) error {
	start := time.Now()
	err := s.next.RemoveDirectory(ctx, parent, name)
	s.observe("RemoveDirectory", start, err)
	return err
}

// ReadDir's duration includes the time fn takes; an error returned by fn
// is the caller's, not a store failure.
func (s instrumentedStore) ReadDir(ctx context.Context, dir store.ID, fn func(store.Entry) error) error {
	start := time.Now()
	var fnErr error
	err := s.next.ReadDir(ctx, dir, func(e store.Entry) error {
		fnErr = fn(e)
		return fnErr
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		s.observe("ReadDir", start, nil)
		return err
	}
	s.observe("ReadDir", start, err)
	return err
}

func (s instrumentedStore) StatDirectory(ctx context.Context, dir store.ID) (store.DirInfo, error) {
	start := time.Now()
	info, err := s.next.StatDirectory(ctx, dir)
	s.observe("StatDirectory", start, err)
	return info, err
}

func (s instrumentedStore) Rename(ctx context.Context, dir store.ID, oldName, newName string) error {
	start := time.Now()
	err := s.next.Rename(ctx, dir, oldName, newName)
	s.observe("Rename", start, err)
	return err
}

func (s instrumentedStore) StatFile(ctx context.Context, id store.ID) (store.FileInfo, error) {
	start := time.Now()
	info, err := s.next.StatFile(ctx, id)
	s.observe("StatFile", start, err)
	return info, err
}

func (s instrumentedStore) OpenFile(ctx context.Context, id store.ID) (store.File, error) {
	start := time.Now()
	f, err := s.next.OpenFile(ctx, id)
	s.observe("OpenFile", start, err)
	return f, err
}

func (s instrumentedStore) CreateTransient(ctx context.Context, dir store.ID, note string) (store.Transient, error) {
	start := time.Now()
	t, err := s.next.CreateTransient(ctx, dir, note)
	s.observe("CreateTransient", start, err)
	return t, err
}

// Append reads the request body through r, so a failing body (client gone,
// bad checksum) fails Append too: that is the client's error, not the
// store's, and is told apart by remembering what r itself returned.
func (s instrumentedStore) Append(ctx context.Context, t store.Transient, r io.Reader) (int64, error) {
	start := time.Now()
	body := &errMemoReader{r: r}
	n, err := s.next.Append(ctx, t, body)
	if err != nil && body.err != nil && errors.Is(err, body.err) {
		s.observe("Append", start, nil)
		return n, err
	}
	s.observe("Append", start, err)
	return n, err
}

func (s instrumentedStore) KeepAlive(ctx context.Context, t store.Transient) error {
	start := time.Now()
	err := s.next.KeepAlive(ctx, t)
	s.observe("KeepAlive", start, err)
	return err
}

func (s instrumentedStore) LinkFile(ctx context.Context, t store.Transient, dir store.ID, name string) (store.FileInfo, error) {
	start := time.Now()
	info, err := s.next.LinkFile(ctx, t, dir, name)
	s.observe("LinkFile", start, err)
	return info, err
}

func (s instrumentedStore) MoveData(ctx context.Context, dst, src store.Transient) error {
	start := time.Now()
	err := s.next.MoveData(ctx, dst, src)
	s.observe("MoveData", start, err)
	return err
}

func (s instrumentedStore) ScrapTransient(ctx context.Context, t store.Transient) error {
	start := time.Now()
	err := s.next.ScrapTransient(ctx, t)
	s.observe("ScrapTransient", start, err)
	return err
}

func (s instrumentedStore) VisitTransient(ctx context.Context, fn func(store.TransientInfo) error) error {
	start := time.Now()
	var fnErr error
	err := s.next.VisitTransient(ctx, func(ti store.TransientInfo) error {
		fnErr = fn(ti)
		return fnErr
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		s.observe("VisitTransient", start, nil)
		return err
	}
	s.observe("VisitTransient", start, err)
	return err
}

func (s instrumentedStore) UnlinkFile(ctx context.Context, dir store.ID, name string, id store.ID) error {
	start := time.Now()
	err := s.next.UnlinkFile(ctx, dir, name, id)
	s.observe("UnlinkFile", start, err)
	return err
}

func (s instrumentedStore) UnlinkEntry(ctx context.Context, dir store.ID, e store.Entry) error {
	start := time.Now()
	err := s.next.UnlinkEntry(ctx, dir, e)
	// The same operation as UnlinkFile to whoever reads the metrics.
	s.observe("UnlinkFile", start, err)
	return err
}

func (s instrumentedStore) Close() error { return s.next.Close() }

// errMemoReader remembers the first error its reader returned other than
// io.EOF.
type errMemoReader struct {
	r   io.Reader
	err error
}

func (m *errMemoReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if err != nil && err != io.EOF && m.err == nil {
		m.err = err
	}
	return n, err
}
